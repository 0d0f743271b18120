#!/usr/bin/python3
"""PyTorch baseline for `synesthesia bench audioldm`: AudioLDM's own modules (haoheliu/AudioLDM's
latent_diffusion.openaimodel.UNetModel, variational_autoencoder.modules.Decoder, hifigan.models.Generator) with
AudioLDM-S's config and random weights, timed on CPU in fp32 with the same shapes as our bench:
one UNet step on [2, 8, T, 16] (guidance batch), the mel VAE decode of [1, 8, T, 16] and the 16 kHz vocoder on
[1, 64, 4T], T = seconds * 25.6.

usage: /usr/bin/python3 tools/bench_audioldm_torch.py --audioldm-src PATH/AudioLDM [--duration 10] [--threads 2] [--runs 2]
PATH/AudioLDM is a checkout of the AudioLDM repository (the folder holding the `audioldm` package). Only the module
files are imported: the package __init__ (which pulls in CLAP, librosa, ...) is bypassed, `einops` is replaced by
the two rearrange patterns these modules use when it is not installed, and audioldm.utils' I/O imports are stubbed.
Needs Debian's python3-torch (1.13).
"""
import argparse, sys, time, types

import torch


def einops_shim():
    """`rearrange` for the patterns the UNet and VAE use: 'b c h w -> b (h w) c' and its inverse, and the VAE's
    attention ('b c h w -> b c (h w)', 'b i j -> b j i', 'b c (h w) -> b c h w')."""
    m = types.ModuleType("einops")

    def rearrange(x, pattern, **kw):
        p = " ".join(pattern.split())
        if p == "b c h w -> b (h w) c":
            b, c, h, w = x.shape
            return x.reshape(b, c, h * w).transpose(1, 2)
        if p == "b (h w) c -> b c h w":
            b, n, c = x.shape
            return x.transpose(1, 2).reshape(b, c, kw["h"], kw["w"])
        if p == "b c h w -> b c (h w)":
            b, c, h, w = x.shape
            return x.reshape(b, c, h * w)
        if p == "b i j -> b j i":
            return x.transpose(1, 2)
        if p == "b c (h w) -> b c h w":
            b, c, n = x.shape
            return x.reshape(b, c, kw["h"], n // kw["h"])
        raise NotImplementedError(pattern)

    def repeat(x, pattern, **kw):
        if " ".join(pattern.split()) == "b -> b d":
            return x[:, None].expand(x.shape[0], kw["d"])
        raise NotImplementedError(pattern)

    m.rearrange, m.repeat = rearrange, repeat
    return m


def import_audioldm(src):
    try:
        import einops  # noqa: F401
    except ImportError:
        sys.modules["einops"] = einops_shim()
    for name in ("soundfile", "progressbar"):
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                sys.modules[name] = types.ModuleType(name)
    pkg = types.ModuleType("audioldm")
    pkg.__path__ = [src.rstrip("/") + "/audioldm"]
    sys.modules["audioldm"] = pkg
    from audioldm.latent_diffusion.openaimodel import UNetModel
    from audioldm.variational_autoencoder.modules import Decoder
    from audioldm.hifigan.models import Generator
    return UNetModel, Decoder, Generator


class AttrDict(dict):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.__dict__ = self


def best(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--audioldm-src", required=True)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    UNetModel, Decoder, Generator = import_audioldm(a.audioldm_src)
    T = int(round(a.duration * 25.6))
    unet = UNetModel(image_size=64, extra_film_condition_dim=512, extra_film_use_concat=True, in_channels=8, out_channels=8,
                     model_channels=128, attention_resolutions=[8, 4, 2], num_res_blocks=2, channel_mult=[1, 2, 3, 5],
                     num_head_channels=32, use_spatial_transformer=True).eval()
    dec = Decoder(double_z=True, z_channels=8, resolution=256, downsample_time=False, in_channels=1, out_ch=1, ch=128,
                  ch_mult=[1, 2, 4], num_res_blocks=2, attn_resolutions=[], dropout=0.0).eval()
    post_quant = torch.nn.Conv2d(8, 8, 1)
    voc = Generator(AttrDict(resblock="1", upsample_rates=[5, 4, 2, 2, 2], upsample_kernel_sizes=[16, 16, 8, 4, 4],
                             upsample_initial_channel=1024, resblock_kernel_sizes=[3, 7, 11],
                             resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5], [1, 3, 5]], num_mels=64)).eval()
    voc.remove_weight_norm() if hasattr(voc, "remove_weight_norm") else None
    x = torch.randn(2, 8, T, 16)
    t = torch.tensor([801, 801])
    film = torch.randn(2, 512)
    z = torch.randn(1, 8, T, 16)
    mel = torch.randn(1, 64, 4 * T)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, fp32; AudioLDM-S random weights, "
          f"{a.duration} s of audio (latent T = {T}); best of {a.runs} after a warm-up")
    with torch.no_grad():
        u = best(lambda: unet(x, t, y=film), a.runs)
        print(f"unet step 2x8x{T}x16: {u:.3f} s")
        v = best(lambda: dec(post_quant(z)), a.runs)
        print(f"vae decode 1x8x{T}x16 -> 1x1x{4 * T}x64: {v:.3f} s")
        g = best(lambda: voc(mel), a.runs)
        print(f"vocoder 64x{4 * T} -> {4 * T * 160} samples: {g:.3f} s")
        print(f"whole clip at 200 steps (200 UNet steps + VAE + vocoder): {200 * u + v + g:.1f} s")


if __name__ == "__main__":
    main()
