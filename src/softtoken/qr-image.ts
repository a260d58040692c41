// Reads the text of a QR code from a PNG image (a screenshot or the e-mail's attachment).
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS: under NodeNext its default import is the module object, which carries the
// function as `default` at run time as well.
const jsQR = jsQRModule.default;

export function decodeQrPng(png: Buffer): string | null {
  let image: { width: number; height: number; data: Buffer };
  try {
    image = PNG.sync.read(png);
  } catch {
    return null;
  }
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const found = jsQR(pixels, image.width, image.height, { inversionAttempts: 'attemptBoth' });
  return found?.data ?? null;
}
