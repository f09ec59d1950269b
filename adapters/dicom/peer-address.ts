// Peer addresses for the listeners' allow-lists and per-peer limits: parsing an allow-list entry
// (an IP address or a CIDR block, IPv4 or IPv6) and folding IPv4-mapped IPv6 into IPv4, so that a
// peer reaching a dual-stack listener ("::ffff:10.1.2.3") is the same peer as on an IPv4 one.
import { BlockList, isIP } from 'node:net';

export interface AddressBlock {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The IPv4 address inside an IPv4-mapped IPv6 address; any other address as given. */
export function normalizePeerAddress(address: string): string {
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
}

/** `10.0.0.0/8`, `fd00::/8`, `192.0.2.7` or `::1` as a block, or undefined when it is none of these. */
export function parseAddressBlock(text: string): AddressBlock | undefined {
  const [rawAddress = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return undefined;
  const address = normalizePeerAddress(rawAddress);
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  let prefix = prefixText === undefined ? bits : Number(prefixText);
  // A mapped block (::ffff:10.0.0.0/104) was written as IPv6 but names IPv4 peers.
  if (address !== rawAddress) {
    if (prefixText !== undefined && prefix < 96) return undefined;
    prefix = prefixText === undefined ? 32 : prefix - 96;
  }
  if (prefix > (family === 'ipv4' ? 32 : 128)) return undefined;
  return { address, prefix, family };
}

/** A test for "may this peer connect": undefined entries (null in the config) allow everyone. */
export function addressAllowList(entries: readonly string[] | null): (peerAddress: string) => boolean {
  if (entries === null) return () => true;
  const list = new BlockList();
  for (const entry of entries) {
    const block = parseAddressBlock(entry);
    // The schema refused anything unparseable; an entry that slips through must not widen the list.
    if (!block) continue;
    list.addSubnet(block.address, block.prefix, block.family);
  }
  return (peerAddress) => {
    const address = normalizePeerAddress(peerAddress);
    const version = isIP(address);
    if (version === 0) return false;
    return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}
