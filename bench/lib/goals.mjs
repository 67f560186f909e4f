/**
 * The goals of issue 7, checked against one run's medians. Each: { text, met }.
 */
function find(summary, workload, opPrefix, implPrefix) {
  return summary.find((r) => r.workload === workload && r.op.startsWith(opPrefix) && r.impl.startsWith(implPrefix) && !r.na);
}

export function goals(summary) {
  const out = [];
  const check = (text, a, b, want, how) => {
    if (!a || !b) return;
    const x = how === 'faster' ? b.median / a.median : a.median / b.median;
    const met = how === 'faster' ? x >= want : x <= want;
    out.push({ text: `${met ? 'MET ' : 'MISSED'} ${text}: ${x.toFixed(2)}×`, met, value: x });
  };
  const nkAdd = find(summary, 'routes', 'add', 'netns-kit Route.add');
  const nkAddMany = find(summary, 'routes', 'add', 'netns-kit Route.addMany');
  for (const nk of [nkAdd, nkAddMany]) {
    if (!nk) continue;
    const name = nk.impl.split(' ')[1];
    check(`route add (${name}) ≥ 1.5× faster than ip -batch`, nk, find(summary, 'routes', 'add', 'ip -batch'), 1.5, 'faster');
    check(`route add (${name}) ≥ 3× faster than npm netlink`, nk, find(summary, 'routes', 'add', 'npm netlink'), 3, 'faster');
    check(`route add (${name}) within 1.5× of the kernel cost (ratio netns-kit/kernel)`, nk, find(summary, 'routes', 'add', 'kernel cost'), 1.5, 'within');
  }
  // publishing (nf_tables NAT): connecting with 32 ports costs the same whatever is published already
  const none = find(summary, 'publish ports (nf_tables NAT)', 'connect 1 container', 'netns-kit, no mapping');
  const full = find(summary, 'publish ports (nf_tables NAT)', 'connect 1 container', 'netns-kit, 1000 mappings');
  check('connect with 32 ports among 1,000 mappings within 1.2× of among none (ratio)', full, none, 1.2, 'within');
  const p32none = find(summary, 'publish ports (nf_tables NAT)', 'publish 32', 'netns-kit, no mapping');
  const p32full = find(summary, 'publish ports (nf_tables NAT)', 'publish 32', 'netns-kit, 1000 mappings');
  check('publish 32 ports (nf_tables part) among 1,000 mappings within 1.2× of among none (ratio)', p32full, p32none, 1.2, 'within');
  const pub = find(summary, 'publish ports (nf_tables NAT)', 'publish 1000', 'netns-kit');
  check('publish 1,000 ports faster than nft -f with the same elements', pub, find(summary, 'publish ports (nf_tables NAT)', 'publish 1000', 'nft -f'), 1, 'faster');
  const nkList = find(summary, 'routes', 'list', 'netns-kit');
  check('route list ≥ as fast as `ip -j route show` (a whole process, output to a file)', nkList, find(summary, 'routes', 'list', 'ip -j route show (whole process'), 1, 'faster');
  check('route list ≥ 4× faster than npm netlink', nkList, find(summary, 'routes', 'list', 'npm netlink'), 4, 'faster');
  check('route list within 1.5× of the kernel floor (C dump decoding nothing; ratio netns-kit/floor)', nkList, find(summary, 'routes', 'list', 'kernel floor'), 1.5, 'within');
  check('address list within 1.5× of the kernel floor (C dump decoding nothing; ratio netns-kit/floor)', find(summary, 'addresses', 'list', 'netns-kit'), find(summary, 'addresses', 'list', 'kernel floor'), 1.5, 'within');
  check('link list within 1.5× of the kernel floor (C dump decoding nothing; ratio netns-kit/floor)', find(summary, 'links', 'list', 'netns-kit'), find(summary, 'links', 'list', 'kernel floor'), 1.5, 'within');
  const stream = find(summary, 'routes-stream', 'list', 'netns-kit');
  if (stream?.extraMedian?.['RSS growth MB'] !== undefined) {
    const mb = stream.extraMedian['RSS growth MB'];
    out.push({ text: `${mb < 64 ? 'MET ' : 'MISSED'} 100,000 routes streamed with < 64 MB RSS growth: ${mb.toFixed(1)} MB`, met: mb < 64, value: mb });
  }
  for (const [w, label] of [
    ['addresses', 'address add'],
    ['neighbours', 'neighbour add'],
    ['veth pairs', 'veth pair create'],
  ]) {
    const nk = summary.find((r) => r.workload === w && r.ref && (r.op.startsWith('add') || r.op.startsWith('create')));
    const peer = nk && summary.find((r) => r.workload === w && r.op === nk.op && r.impl.startsWith('ip -batch'));
    check(`${label} no slower than ip -batch per op`, nk, peer, 1, 'faster');
  }
  const ns = summary.find((r) => r.workload === 'namespaces' && r.ref);
  check('namespace create + delete ≥ 5× faster than spawning ip netns add/del', ns, ns && summary.find((r) => r.workload === 'namespaces' && r.op === ns.op && r.impl.startsWith('ip netns add')), 5, 'faster');
  // round 2: ahead of ip -batch, not just level with it
  check('namespace create + delete ≥ 1.5× faster than `ip -batch netns add/del`', ns, ns && summary.find((r) => r.workload === 'namespaces' && r.op === ns.op && r.impl.startsWith('ip -batch')), 1.5, 'faster');
  const vc = summary.find((r) => r.workload === 'veth pairs' && r.op.startsWith('create') && r.ref);
  check('veth pair create ≥ 1.2× faster than ip -batch', vc, vc && summary.find((r) => r.workload === 'veth pairs' && r.op === vc.op && r.impl.startsWith('ip -batch')), 1.2, 'faster');
  const bulk = summary.find((r) => r.workload === 'veth pairs' && r.op.startsWith('bulk teardown') && r.ref);
  if (bulk) {
    const s = bulk.totalMs / 1000;
    out.push({ text: `${s <= 0.15 ? 'MET ' : 'MISSED'} ${bulk.count} veth pairs torn down in ≤ 0.15 s by the bulk path: ${s.toFixed(3)} s`, met: s <= 0.15, value: s });
  }
  // slow kernel work in parallel: deletions overlap like separate processes
  const each = summary.find((r) => r.workload === 'veth pairs' && r.op.includes('concurrently') && r.ref);
  check(
    'veth pairs deleted concurrently (Link.delete ×N, Promise.all) no slower than as many `ip link del` processes at once (ratio netns-kit/processes ≤ 1)',
    each,
    each && summary.find((r) => r.workload === 'veth pairs' && r.op === each.op && r.impl.includes('concurrent processes')),
    1,
    'within',
  );
  // scale curves (--plot): the cost per operation at the largest size within 1.5× of the smallest
  for (const r0 of summary.filter((r) => r.workload.startsWith('scale: ') && r.ref)) {
    const same = summary.filter((r) => r.workload === r0.workload && r.impl === r0.impl && r.ref);
    const small = same.reduce((a, r) => (r.count < a.count ? r : a));
    const big = same.reduce((a, r) => (r.count > a.count ? r : a));
    if (r0 !== big || small === big) continue;
    const x = big.median / small.median;
    const us = (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${v.toFixed(1)} µs`);
    const cpu = big.cpuMedian !== undefined && small.cpuMedian !== undefined ? `; CPU ${us(small.cpuMedian)} → ${us(big.cpuMedian)}, ${(big.cpuMedian / small.cpuMedian).toFixed(2)}×` : '';
    out.push({
      text: `${x <= 1.5 ? 'MET ' : 'MISSED'} ${r0.workload.slice(7)}, ${r0.impl}: cost per operation at ${big.count.toLocaleString('en')} within 1.5× of ${small.count.toLocaleString('en')}: ${x.toFixed(2)}× (wall ${us(small.median)} → ${us(big.median)} per operation${cpu})`,
      met: x <= 1.5,
      value: x,
    });
  }
  // the CNI plugin (issue 14): whole processes, as a runtime runs them
  const cniW = 'CNI plugin (a process per call)';
  const cniRef = (op) => summary.find((r) => r.workload === cniW && r.op.startsWith(op) && r.impl.startsWith('reference') && !r.na);
  for (const [who, prefix] of [
    ['Node plugin', 'netns-kit-bridge'],
    ['fast plugin + daemon', 'netns-kit fast plugin'],
  ]) {
    const ours = (op) => summary.find((r) => r.workload === cniW && r.op.startsWith(op) && r.impl.startsWith(prefix) && !r.na);
    check(`CNI ADD (${who}) within 1.5× of reference bridge + host-local (ratio netns-kit/reference)`, ours('ADD, '), cniRef('ADD, '), 1.5, 'within');
    check(`CNI ADD + DEL (${who}; masquerade, a published port) no slower than reference bridge + host-local + portmap`, ours('ADD + DEL'), cniRef('ADD + DEL'), 1, 'faster');
  }
  return out;
}
