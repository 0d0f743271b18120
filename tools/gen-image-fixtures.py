#!/usr/bin/python3
# Test fixtures for org.synesthesia.image, made with Debian's Pillow 9.4 (/usr/bin/python3, python3-pil):
#   pillow_resize.safetensors: random uint8 RGB inputs of odd shapes and Image.resize outputs for each filter
#   decode/*: small images in several formats and PIL's np.array(Image.open(f).convert("RGB")) for each
# Run from the repository root: /usr/bin/python3 tools/gen-image-fixtures.py
import io, json, os, struct
import numpy as np
from PIL import Image

OUT = "src/test/resources/org/synesthesia/image"
os.makedirs(OUT + "/decode", exist_ok=True)

def write_safetensors(path, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dt = {np.uint8: "U8", np.int32: "I32"}[a.dtype.type]
        b = a.tobytes()
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)

rng = np.random.default_rng(1234)
filters = {"BILINEAR": Image.BILINEAR, "BICUBIC": Image.BICUBIC, "LANCZOS": Image.LANCZOS, "BOX": Image.BOX, "HAMMING": Image.HAMMING}
inputs = [(37, 23), (5, 61), (120, 7), (13, 13), (40, 30)]
targets = lambda w, h: [(w // 3 + 1, h // 2 + 1), (w * 2 + 1, h + 3), (w, h // 3 + 1), (w // 2 + 1, h), (11, 17)]
t, cases = {}, []
for i, (w, h) in enumerate(inputs):
    a = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    if i == 4:  # smooth content too: a gradient with a sharp edge
        yy, xx = np.mgrid[0:h, 0:w]
        a[..., 0] = (xx * 255 // (w - 1)).astype(np.uint8)
        a[..., 1] = np.where(xx > w // 2, 250, 5).astype(np.uint8)
    t[f"in{i}"] = a
    img = Image.fromarray(a, "RGB")
    for fname, f in filters.items():
        for (tw, th) in targets(w, h):
            name = f"in{i}_{fname}_{tw}x{th}"
            t[name] = np.array(img.resize((tw, th), f))
            cases.append(name)
write_safetensors(OUT + "/pillow_resize.safetensors", t, {"pillow": Image.__version__, "cases": ",".join(cases)})

# decode fixtures: name -> (bytes, PIL RGB)
base = rng.integers(0, 256, size=(21, 34, 3), dtype=np.uint8)
yy, xx = np.mgrid[0:21, 0:34]
base[:, :17, 0] = (xx[:, :17] * 15).astype(np.uint8)
base[:, :17, 1] = (yy[:, :17] * 12).astype(np.uint8)
rgb = Image.fromarray(base, "RGB")
files = {}
def save(name, img, fmt, **kw):
    b = io.BytesIO(); img.save(b, fmt, **kw); files[name] = b.getvalue()
save("rgb.png", rgb, "PNG")
rgba = rgb.copy(); rgba.putalpha(Image.fromarray((xx * 7 % 256).astype(np.uint8), "L")); save("rgba.png", rgba, "PNG")
save("gray.png", rgb.convert("L"), "PNG")
save("gray_alpha.png", rgba.convert("LA"), "PNG")
save("palette.png", rgb.convert("P", palette=Image.ADAPTIVE, colors=16), "PNG", bits=4)
pt = rgb.convert("P", palette=Image.ADAPTIVE, colors=200); save("palette_trns.png", pt, "PNG", transparency=3)
save("bilevel.png", rgb.convert("1"), "PNG")
save("rgb.bmp", rgb, "BMP")
save("palette.bmp", rgb.convert("P", palette=Image.ADAPTIVE, colors=256), "BMP")
save("first_frame.gif", rgb.convert("P", palette=Image.ADAPTIVE, colors=64), "GIF",
     save_all=True, append_images=[Image.fromarray(255 - base, "RGB").convert("P", palette=Image.ADAPTIVE, colors=64)])
# the first frame at (3, 2) on a logical screen 5 wider and 4 taller than the frame
g = bytearray(files["first_frame.gif"])
sw, sh = struct.unpack("<HH", g[6:10])
g[6:10] = struct.pack("<HH", sw + 5, sh + 4)
d = g.index(b"\x2c", 13 + (3 << ((g[10] & 7) + 1)))
assert struct.unpack("<HHHH", g[d + 1:d + 9]) == (0, 0, sw, sh)
g[d + 1:d + 5] = struct.pack("<HH", 3, 2)
files["offset_frame.gif"] = bytes(g)
save("q90_420.jpg", rgb, "JPEG", quality=90, subsampling=2)
save("q95_444.jpg", rgb, "JPEG", quality=95, subsampling=0)
save("progressive.jpg", rgb, "JPEG", quality=85, progressive=True)
save("gray.jpg", rgb.convert("L"), "JPEG", quality=90)
dec = {}
for name, b in files.items():
    with open(f"{OUT}/decode/{name}", "wb") as f: f.write(b)
    dec[name] = np.array(Image.open(io.BytesIO(b)).convert("RGB"))
write_safetensors(OUT + "/decode/pil_rgb.safetensors", dec, {"pillow": Image.__version__})
print("wrote", len(cases), "resize cases and", len(files), "decode files")
