/**
 * What the original peers need from us (PROTOCOL.md, "Peers in the wild"):
 * they read one `recv(1024)` per connection and their only server thread dies
 * on a character cut at byte 1024 or on an IPv6 sender address. Pure.
 */

/** The UTF-8 size above which the original peers (one `recv(1024)`) cut a message. */
export const ORIGINAL_RECV_BYTES = 1024;

/**
 * Why a line must not be sent at all, or undefined. The original's receiver
 * decodes its single `recv(1024)` as UTF-8 and its only server thread dies on
 * a character cut in two at byte 1024, so such a line would silence that peer
 * for good (PROTOCOL.md, "Peers in the wild").
 */
export function unsendableReason(line: string): string | undefined {
  const bytes = Buffer.from(line, 'utf8');
  const next = bytes[ORIGINAL_RECV_BYTES];
  // A continuation byte (10xxxxxx) right after the cut: a character straddles it.
  if (next === undefined || (next & 0xc0) !== 0x80) return undefined;
  let start = ORIGINAL_RECV_BYTES - 1;
  while (start > 0 && ((bytes[start] as number) & 0xc0) === 0x80) start -= 1;
  const character = [...bytes.subarray(start, start + 4).toString('utf8')][0] ?? '';
  return (
    `not sent: byte ${ORIGINAL_RECV_BYTES} falls inside the character ${JSON.stringify(character)}, ` +
    'and peers running the original chat stop receiving for good on a cut character; ' +
    'shorten the message or move that character'
  );
}

/**
 * A warning when the advertised address is IPv6: the original peers split the
 * first word on ':' and their receiver dies on `[addr]:port`.
 */
export function advertisedIpWarning(ip: string): string | undefined {
  if (!ip.includes(':')) return undefined;
  return `--ip ${ip} is IPv6: peers running the original chat cannot parse [${ip}]:port and stop receiving; use an IPv4 --ip to talk to them`;
}
