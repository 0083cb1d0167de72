// Small real PNGs made on the spot.  Media are stored by the hash of
// their bytes and are public once any published project uses them, so a
// test that publishes a photo uses bytes no other test uploads.
import { deflateSync } from "node:zlib";

function crc32(buf) {
	let c, crc = 0xffffffff;
	for (const b of buf) {
		c = (crc ^ b) & 0xff;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		crc = (crc >>> 8) ^ c;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

// One PNG chunk: length, type, data, CRC.
export function pngChunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}

// A 64 x 64 RGB PNG of one random colour.
export function uniquePng() {
	const row = Buffer.alloc(1 + 64 * 3);
	const rgb = [0, 1, 2].map(() => Math.floor(Math.random() * 256));
	for (let x = 0; x < 64; x++)
		row.set(rgb, 1 + x * 3);
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(64, 0);
	ihdr.writeUInt32BE(64, 4);
	ihdr[8] = 8;
	ihdr[9] = 2;
	return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
	    pngChunk("IHDR", ihdr),
	    pngChunk("IDAT", deflateSync(Buffer.concat(Array(64).fill(row)))),
	    pngChunk("IEND", Buffer.alloc(0))]);
}
