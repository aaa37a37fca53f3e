/**
 * CRC-16/MODBUS, for Modbus RTU frames.
 *
 * @module
 */

const TABLE = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let crc = n;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  TABLE[n] = crc;
}

/**
 * Computes CRC-16/MODBUS (polynomial 0x8005 reflected as 0xA001, initial
 * 0xFFFF, no final XOR). A Modbus RTU frame sends it low byte first.
 * @param bytes the bytes to check
 * @param crc a running value, to continue over several pieces (default 0xFFFF)
 * @returns the CRC, 0..0xFFFF
 * @example
 * ```ts
 * crc16Modbus(new TextEncoder().encode("123456789")); // 0x4b37
 * ```
 */
export function crc16Modbus(bytes: Uint8Array, crc = 0xffff): number {
  for (let i = 0; i < bytes.length; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}
