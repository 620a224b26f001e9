#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads a kiosk screenshot (8-bit RGB or RGBA PNG, as snapshot.c writes)
without extra modules, for the e2e scripts:

    png_pixels.py FILE at X Y          prints the pixel's colour, RRGGBB
    png_pixels.py FILE count RRGGBB    prints how many pixels have it
    png_pixels.py FILE same OTHER      exit 0 if both show the same pixels
"""
import struct
import sys
import zlib


def read(path):
    data = open(path, 'rb').read()
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6):
        sys.exit('%s: not an 8-bit RGB(A) PNG' % path)
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
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
        rows.append(line)
        prev = line
    return w, h, [[bytes(r[x * bpp:x * bpp + 3]).hex() for x in range(w)] for r in rows]


def main():
    w, h, px = read(sys.argv[1])
    what = sys.argv[2]
    if what == 'at':
        print(px[int(sys.argv[4])][int(sys.argv[3])])
    elif what == 'count':
        want = sys.argv[3].lower()
        print(sum(row.count(want) for row in px))
    elif what == 'same':
        sys.exit(0 if read(sys.argv[3])[2] == px else 1)
    else:
        sys.exit('usage: png_pixels.py FILE at X Y | count RRGGBB | same OTHER')


main()
