/**
 * What a listed Route or Address checks when it is made: each is decoded on first use
 * (Route.listed, Address.listed), so a malformed message must still be refused by the list
 * call itself — by its header, family and attribute framing (checkHeaderAndAttributes); a
 * bad attribute inside it is found when the object is first read.
 * @module
 */
import { ParseError } from '../../errors.js';
import { checkHeaderAndAttributes } from '../../netlink/attributes.js';
import type { NlMessage } from '../../netlink/message.js';
import type { Struct } from '../../netlink/struct.js';
import { AF_INET, AF_INET6 } from '../../rtnetlink/constants.js';

/**
 * Checks an IPv4 or IPv6 `what` message with fixed header `header` (rtmsg, ifaddrmsg: the
 * family is its first byte) whose attributes are framed within it; a ParseError otherwise.
 */
export function checkIpMessage(m: NlMessage, header: Struct<object>, what: 'route' | 'address'): void {
  checkHeaderAndAttributes(m.buf, m.start, m.end, header);
  const family = m.buf[m.start]!;
  if (family !== AF_INET && family !== AF_INET6) throw new ParseError(`not an IPv4 or IPv6 ${what} message (family ${family})`, m.start);
}
