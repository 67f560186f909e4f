/** Docker's `-p` forms parsed, ranges expanded, `docker port` lines formatted (no privileges). */
import { describe, expect, it } from 'vitest';
import { dockerPortLines, parsePortSpec, parsePortText, ValidationError } from '../../src/index.js';
import { expandFixed, parsePublish } from '../../src/api/network/port-spec.js';

const req = (o: object) => expect.objectContaining(o);

describe('-p forms', () => {
  it('parses every form docker run -p takes', () => {
    expect(parsePortText('80')).toEqual(req({ containerPort: 80, containerPortEnd: 80, hostPort: 0, hostPortEnd: 0, protocol: 'tcp' }));
    expect(parsePortText('80/udp')).toEqual(req({ containerPort: 80, hostPort: 0, protocol: 'udp' }));
    expect(parsePortText('8080:80')).toEqual(req({ containerPort: 80, hostPort: 8080, hostPortEnd: 8080 }));
    expect(parsePortText('127.0.0.1::80')).toEqual(req({ containerPort: 80, hostPort: 0, hostIp: '127.0.0.1' }));
    expect(parsePortText('127.0.0.1:8080:80/UDP')).toEqual(req({ containerPort: 80, hostPort: 8080, hostIp: '127.0.0.1', protocol: 'udp' }));
    expect(parsePortText('[::1]:8080:80')).toEqual(req({ containerPort: 80, hostPort: 8080, hostIp: '::1' }));
    expect(parsePortText('[::]::80')).toEqual(req({ containerPort: 80, hostPort: 0, hostIp: '::' }));
    expect(parsePortText('8000-8010:80-90')).toEqual(req({ containerPort: 80, containerPortEnd: 90, hostPort: 8000, hostPortEnd: 8010 }));
    expect(parsePortText('8000-8010:80')).toEqual(req({ containerPort: 80, containerPortEnd: 80, hostPort: 8000, hostPortEnd: 8010 }));
    expect(parsePortText('80-82')).toEqual(req({ containerPort: 80, containerPortEnd: 82, hostPort: 0 }));
  });

  it('refuses what docker refuses, naming the field', () => {
    for (const bad of ['', '0', '65536', 'http', '80/sctp', '8000-8001:80-90', '90-80', '1.2.3.4:5:6:7', '::1:80:80', '1.2.3.4/24:80:80', '[::1]80']) {
      expect(() => parsePortText(bad, 'publish[3]'), bad).toThrow(ValidationError);
    }
    expect(() => parsePortSpec({ containerPort: 80, hostport: 1 } as never, 'publish[0]')).toThrow(/publish\[0\]\.hostport/);
    expect(() => parsePortSpec({ containerPort: 0 }, 'publish[0]')).toThrow(/publish\[0\]\.containerPort/);
    expect(() => parsePublish('80')).toThrow(ValidationError);
  });

  it('object form: hostPort defaults to the container port, 0 is dynamic; fixed mappings expand without a publisher', () => {
    expect(parsePortSpec({ containerPort: 80 })).toEqual(req({ hostPort: 80 }));
    expect(parsePortSpec({ containerPort: 80, hostPort: 0 })).toEqual(req({ hostPort: 0 }));
    expect(expandFixed(parsePublish(['8000-8002:80-82/udp', { containerPort: 53, hostIp: '0.0.0.0' }]))).toEqual([
      { containerPort: 80, hostPort: 8000, protocol: 'udp' },
      { containerPort: 81, hostPort: 8001, protocol: 'udp' },
      { containerPort: 82, hostPort: 8002, protocol: 'udp' },
      { containerPort: 53, hostPort: 53, protocol: 'tcp', hostIp: '0.0.0.0' },
    ]);
    expect(() => expandFixed(parsePublish(['80']))).toThrow(/dynamic host port needs a port publisher/);
  });

  it('docker port lines', () => {
    const lines = dockerPortLines([{ containerPort: 80, hostPort: 32768, protocol: 'tcp' }, { containerPort: 53, hostPort: 53, protocol: 'udp', hostIp: '127.0.0.1' }, { containerPort: 81, hostPort: 81, protocol: 'tcp', hostIp: 'fd00::1' }], true);
    expect(lines.map((l) => l.text)).toEqual(['53/udp -> 127.0.0.1:53', '80/tcp -> 0.0.0.0:32768', '80/tcp -> [::]:32768', '81/tcp -> [fd00::1]:81']);
  });
});
