"""Checks that a PNG screenshot is not blank, with the standard library only.

usage: png_check.py FILE.png

Decodes the PNG (8-bit greyscale, RGB, RGBA or palette, not interlaced, as
chromium writes), then requires more than MIN_INK non-white pixels, at least
MIN_COLOURS distinct colours, and ink in each third of the page height, so a
page that stopped rendering after its header fails.
"""
import struct
import sys
import zlib

MIN_INK = 2000
MIN_COLOURS = 8


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, palette = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = [body[i:i + 3] for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if depth != 8 or interlace != 0:
        fail(f"unsupported PNG: bit depth {depth}, interlace {interlace}")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif f == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up_left = prev[i - channels] if i >= channels else 0
                line[i] = (line[i] + paeth(left, prev[i], up_left)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, channels, colour, palette, rows


def main():
    width, height, channels, colour, palette, rows = decode(sys.argv[1])
    colours, ink = set(), 0
    ink_by_third = [0, 0, 0]
    for y, row in enumerate(rows):
        for x in range(0, width * channels, channels):
            px = row[x:x + channels]
            if colour == 3:
                px = palette[px[0]]
            elif colour in (0, 4):
                px = bytes([px[0]] * 3)
            else:
                px = px[:3]
            colours.add(px)
            if px != b"\xff\xff\xff" and min(px) < 235:
                ink += 1
                ink_by_third[min(2, y * 3 // height)] += 1
    print(f"{width}x{height}: {ink} ink pixels, {len(colours)} colours, by third {ink_by_third}")
    if ink <= MIN_INK:
        fail(f"only {ink} non-white pixels: the page looks blank")
    if len(colours) < MIN_COLOURS:
        fail(f"only {len(colours)} colours")
    if min(ink_by_third) < 200:
        fail(f"a third of the page is empty: {ink_by_third}")


if __name__ == "__main__":
    main()
