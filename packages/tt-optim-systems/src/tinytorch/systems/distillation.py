"""Knowledge distillation (Hinton, Vinyals & Dean, 2015): a small student learns from a big
teacher's *soft* predictions, not only from the labels.

At temperature T the teacher's softmax ``p_T = softmax(z_teacher / T)`` spreads probability over
the wrong classes too ("this 7 looks a bit like a 1"), which carries more information per
example than a one-hot label. The student matches it with

    loss = alpha * T^2 * KL(p_T || softmax(z_student / T)) + (1 - alpha) * CE(z_student, y)

The ``T^2`` keeps the soft term's gradients the same size whatever T (they scale as 1/T^2).
"""

from __future__ import annotations

import tinytorch.nn.functional as F
from tinytorch.tensor import Tensor

__all__ = ["distillation_loss"]


def distillation_loss(student_logits: Tensor, teacher_logits: Tensor, target: Tensor | None = None,
                      temperature: float = 4.0, alpha: float = 0.5) -> Tensor:
    """The distillation loss above, averaged over the batch.

    Args:
        student_logits: (N, C), differentiable.
        teacher_logits: (N, C); no gradient flows into it (it is detached).
        target: (N,) class indices for the hard term; None means ``alpha`` must be 1.
        temperature: T > 0; 1 is the plain softmax, larger is softer.
        alpha: weight of the soft (teacher) term, in [0, 1].

    Use ``F.log_softmax`` for both distributions and ``F.kl_div(..., reduction="batchmean",
    log_target=True)`` for the KL divergence (its input is the *student's* log-probabilities).
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if tuple(student_logits.shape) != tuple(teacher_logits.shape) or student_logits.ndim != 2:
        raise ValueError(f"student and teacher logits must both be (N, C), got "
                         f"{tuple(student_logits.shape)} and {tuple(teacher_logits.shape)}")
    if target is None and alpha != 1.0:
        raise ValueError("a target is needed unless alpha == 1 (soft targets only)")
    # BEGIN SOLUTION 6.17 distillation: T^2 KL at temperature T, plus the hard cross-entropy
    log_p_student = F.log_softmax(student_logits / temperature, dim=1)
    log_p_teacher = F.log_softmax(teacher_logits.detach() / temperature, dim=1)
    soft = F.kl_div(log_p_student, log_p_teacher, reduction="batchmean", log_target=True)
    loss = soft * (alpha * temperature ** 2)
    if alpha < 1.0:
        loss = loss + F.cross_entropy(student_logits, target) * (1.0 - alpha)
    return loss
    # END SOLUTION
