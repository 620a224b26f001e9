#!/usr/bin/env python3
"""pngsame: whether two PNG files show the same pixels (exit 0) or not (exit 1).

    pngsame.py A.png B.png

Decodes 8-bit, non-interlaced grey, RGB and RGBA PNGs (what the kiosk's
screenshots are) with the standard library only, so two pictures made by
different paths (the running kiosk, --screenshot) compare by what they
show, not by their compressed bytes.
"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG" % path)
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, colour, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 6: 4, 4: 2}.get(colour)
    if depth != 8 or interlace or channels is None:
        sys.exit("%s: only 8-bit non-interlaced grey/RGB/RGBA" % path)
    raw = zlib.decompress(idat)
    stride, bpp = w * channels, channels
    out, prev, i = bytearray(), bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    # compare colour only: an opaque canvas may be saved with or without alpha
    if channels == 4:
        out = bytearray(v for k, v in enumerate(out) if k % 4 != 3)
    return w, h, bytes(out)


if __name__ == "__main__":
    a, b = pixels(sys.argv[1]), pixels(sys.argv[2])
    sys.exit(0 if a == b else 1)
