#!/usr/bin/env python3
"""The PyTorch baseline of `synesthesia bench translator`: the original scripts' training step (traductorEMC.py,
traductorcos.py, traductorCL.py: CLIptoCLAP forward, loss, zero_grad, backward, Adam step, loss.item()) on batches
of random 512-d pairs (uniform in [-1, 1], as the Java bench), on CPU with a fixed number of threads; one line per
hidden width and loss with pairs/s and ms per batch (the mean over about --seconds after a warm-up of a third).

    /usr/bin/python3 tools/bench_translator_torch.py [--threads 2] [--seconds 2] [--batch 64]

Needs PyTorch (Debian python3-torch 1.13 was used for README's numbers).
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CLIptoCLAP(nn.Module):
    """The module of the original scripts (identical in all three)."""

    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, hidden_dim)
        self.fc3 = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        x = F.normalize(x, p=2, dim=1)
        out = torch.relu(self.fc1(x.reshape(x.size(0), -1)))
        out = torch.relu(self.fc2(out))
        out = self.fc3(out)
        return F.normalize(out, p=2, dim=1)


class SimCLR(nn.Module):
    """traductorCL.py's loss, on CPU (the script moved its tensors to cuda:0)."""

    def __init__(self, batch_size, temperature=0.5):
        super().__init__()
        self.batch_size = batch_size
        self.register_buffer("temperature", torch.tensor(temperature))
        self.register_buffer("negatives_mask", (~torch.eye(batch_size * 2, batch_size * 2, dtype=bool)).float())

    def forward(self, emb_i, emb_j):
        z_i = F.normalize(emb_i, dim=1)
        z_j = F.normalize(emb_j, dim=1)
        representations = torch.cat([z_i, z_j], dim=0)
        similarity_matrix = F.cosine_similarity(representations.unsqueeze(1), representations.unsqueeze(0), dim=2)
        sim_ij = torch.diag(similarity_matrix, self.batch_size)
        sim_ji = torch.diag(similarity_matrix, -self.batch_size)
        positives = torch.cat([sim_ij, sim_ji], dim=0)
        nominator = torch.exp(positives / self.temperature)
        denominator = self.negatives_mask * torch.exp(similarity_matrix / self.temperature)
        loss_partial = -torch.log(nominator / torch.sum(denominator, dim=1))
        return torch.sum(loss_partial) / (2 * self.batch_size)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--hidden", default="256,512")
    ap.add_argument("--loss", default="mse,cosine,contrastive")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    b, d = a.batch, 512
    pool = [(torch.rand(b, d) * 2 - 1, torch.rand(b, d) * 2 - 1) for _ in range(64)]
    print(f"bench translator (PyTorch {torch.__version__}): {torch.get_num_threads()} threads; batch {b}, 512-d pairs")
    for h in [int(x) for x in a.hidden.split(",")]:
        for loss_name in a.loss.split(","):
            model = CLIptoCLAP(d, h, d)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            mse = nn.MSELoss()
            cos = nn.CosineEmbeddingLoss(margin=1)
            ones = torch.ones(b)
            k = [0]

            def step():
                clip, clap = pool[k[0] % len(pool)]
                k[0] += 1
                pred = model(clip)
                if loss_name == "mse":
                    loss = mse(pred.unsqueeze(2), clap.unsqueeze(2))
                elif loss_name == "cosine":
                    loss = cos(pred, clap, ones)
                else:
                    loss = SimCLR(batch_size=b)(pred, clap)  # built each step, as traductorCL.py does
                opt.zero_grad()
                loss.backward()
                opt.step()
                return loss.item()

            t0 = time.perf_counter()
            while time.perf_counter() - t0 < a.seconds / 3:
                step()
            n, s0 = 0, time.perf_counter()
            while True:
                step()
                n += 1
                if time.perf_counter() - s0 >= a.seconds:
                    break
            per = (time.perf_counter() - s0) / n
            print(f"translator h={h:<4d} {loss_name:<11s} {b / per:9.0f} pairs/s  {per * 1e3:7.3f} ms/batch")


if __name__ == "__main__":
    main()
