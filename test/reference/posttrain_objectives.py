"""PyTorch reference for the post-training objectives (test/unit/posttrain/objectives-torch.test.ts,
rloo.test.ts).

Reads one JSON object on stdin, computes every loss and its gradients in float64 with the
formulas TRL and Hinton et al. use, and prints one JSON object. Written from the papers and
TRL's DPOTrainer.dpo_loss / RewardTrainer.compute_loss / RLOOTrainer.train, not from the
TypeScript code.
Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def t(x):
    return torch.tensor(x, dtype=torch.float64)


def grad_list(g):
    return g.detach().reshape(-1).tolist()


def cross_entropy(case):
    logits = t(case["logits"]).requires_grad_(True)  # [N, V]
    targets = torch.tensor(case["targets"], dtype=torch.long)
    mask = t(case["mask"])
    nll = F.cross_entropy(logits, targets.clamp(min=0), reduction="none")
    loss = (nll * mask).sum() / mask.sum().clamp(min=1)
    loss.backward()
    return {"loss": loss.item(), "grad": grad_list(logits.grad)}


def sequence_logps(case):
    logits = t(case["logits"])  # [B, T, V]
    targets = torch.tensor(case["targets"], dtype=torch.long)
    mask = t(case["mask"])
    lp = torch.log_softmax(logits, -1).gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return {"sum": (lp * mask).sum(-1).tolist(), "count": mask.sum(-1).tolist()}


def dpo(case):
    pc = t(case["policyChosen"]).requires_grad_(True)
    pr = t(case["policyRejected"]).requires_grad_(True)
    rc, rr = t(case["refChosen"]), t(case["refRejected"])
    beta, kind, ls = case["beta"], case["lossType"], case["labelSmoothing"]
    logits = (pc - pr) - (rc - rr)
    if kind == "sigmoid":
        losses = -F.logsigmoid(beta * logits) * (1 - ls) - F.logsigmoid(-beta * logits) * ls
    elif kind == "hinge":
        losses = torch.relu(1 - beta * logits)
    elif kind == "ipo":
        losses = (logits - 1 / (2 * beta)) ** 2
    else:
        raise ValueError(kind)
    loss = losses.mean()
    loss.backward()
    chosen_rewards = beta * (pc - rc).detach()
    rejected_rewards = beta * (pr - rr).detach()
    return {
        "loss": loss.item(),
        "gradChosen": grad_list(pc.grad),
        "gradRejected": grad_list(pr.grad),
        "metrics": {
            "rewards/chosen": chosen_rewards.mean().item(),
            "rewards/rejected": rejected_rewards.mean().item(),
            "rewards/accuracies": (chosen_rewards > rejected_rewards).double().mean().item(),
            "rewards/margins": (chosen_rewards - rejected_rewards).mean().item(),
            "logps/chosen": pc.detach().mean().item(),
            "logps/rejected": pr.detach().mean().item(),
        },
    }


def reward(case):
    c = t(case["chosen"]).requires_grad_(True)
    r = t(case["rejected"]).requires_grad_(True)
    loss = -F.logsigmoid(c - r).mean()
    loss.backward()
    return {"loss": loss.item(), "gradChosen": grad_list(c.grad), "gradRejected": grad_list(r.grad)}


def distill(case):
    student = t(case["studentLogits"]).requires_grad_(True)  # [N, V]
    teacher = t(case["teacherLogits"])  # [N, V]
    targets = torch.tensor(case["targets"], dtype=torch.long)
    mask = t(case["mask"])
    k, T, alpha = case["k"], case["temperature"], case["alpha"]
    top = torch.topk(teacher, k, dim=-1)
    ids = top.indices
    # Teacher: temperature-1 log-probs of the top k, then T, renormalised over the top k.
    t_lp1 = torch.log_softmax(teacher, -1).gather(-1, ids)
    p_t = torch.softmax(t_lp1 / T, -1)
    # Student: its logits at the same ids at temperature T, renormalised over those ids.
    log_q = torch.log_softmax(student.gather(-1, ids) / T, -1)
    kl_per = (p_t * (torch.log(p_t) - log_q)).sum(-1)
    n = mask.sum().clamp(min=1)
    kl = (kl_per * mask).sum() / n
    ce = (F.cross_entropy(student, targets, reduction="none") * mask).sum() / n
    loss = alpha * T * T * kl + (1 - alpha) * ce
    loss.backward()
    return {
        "loss": loss.item(),
        "kl": kl.item(),
        "ce": ce.item(),
        "grad": grad_list(student.grad),
        "topIds": ids.reshape(-1).tolist(),
        "topLogProbs": t_lp1.reshape(-1).tolist(),
    }


def rloo(case):
    # TRL's RLOOTrainer (v0.11): per-sample KL as the sum of token log-prob differences, rewards
    # and the leave-one-out baseline under no_grad, then -advantage * log pi. TRL lays samples
    # out as (k, prompts); the TypeScript side keeps one prompt's k samples together, so the
    # input is transposed into TRL's layout here and the result back.
    logits = t(case["logits"]).requires_grad_(True)  # [B, T, V]
    targets = torch.tensor(case["targets"], dtype=torch.long)
    mask = t(case["mask"])
    ref = t(case["refLogps"])
    scores = t(case["scores"])
    k, beta, lp = case["k"], case["beta"], case["lengthPenalty"]
    b = logits.shape[0]
    tok = torch.log_softmax(logits, -1).gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    logps = (tok * mask).sum(-1)
    lengths = mask.sum(-1)
    order = torch.arange(b).reshape(b // k, k).t().reshape(-1)  # TRL position -> our index
    with torch.no_grad():
        kl = (logps - ref)[order]
        non_score_reward = -beta * kl
        rlhf_reward = scores[order] + non_score_reward - lp * lengths[order]
        r = rlhf_reward.reshape(k, -1)
        baseline = (r.sum(0) - r) / (k - 1)
        adv_trl = (r - baseline).flatten()
    adv = torch.empty_like(adv_trl)
    adv[order] = adv_trl
    loss = (-adv * logps).mean()
    loss.backward()
    inv = lambda x: x.new_empty(x.shape).index_copy_(0, order, x)
    return {
        "loss": loss.item(),
        "logps": logps.detach().tolist(),
        "grad": grad_list(logits.grad),
        "advantages": adv.tolist(),
        "kl": inv(kl).tolist(),
        "rlhfReward": inv(rlhf_reward).tolist(),
        "metrics": {
            "objective/kl": kl.mean().item(),
            "objective/entropy": -logps.detach().mean().item(),
            "objective/non_score_reward": non_score_reward.mean().item(),
            "objective/rlhf_reward": rlhf_reward.mean().item(),
            "objective/scores": scores.mean().item(),
            "objective/length_penalty": -lp * lengths.mean().item(),
            "loss/policy_avg": loss.item(),
            "policy/advantage_mean": adv.mean().item(),
            "policy/advantage_std": adv.std(unbiased=False).item(),
            "val/completion_length": lengths.mean().item(),
        },
    }


HANDLERS = {"crossEntropy": cross_entropy, "sequenceLogps": sequence_logps, "dpo": dpo, "reward": reward, "distill": distill, "rloo": rloo}

if __name__ == "__main__":
    cases = json.load(sys.stdin)
    json.dump([HANDLERS[c["kind"]](c) for c in cases], sys.stdout)
