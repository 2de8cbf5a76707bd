"""The moderated usability studies: ``task_times.csv``.

One study per release and task (:data:`~cvlib.sample.plan.STUDIES`), with a
before and an after phase. Times are lognormal; a participant's second attempt
is a little faster; failed attempts have no time or a longer one. The number
of completed attempts, or of attempts with errors, is exact where the design
fixes it, and the times of calibrated studies are shifted so that their
geometric mean is exactly the designed one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cvlib.sample.plan import PARTICIPANT_SEGMENT_SHARES, SEGMENTS, STUDIES, Study

__all__ = ["draw_task_times"]


def draw_task_times(rng: np.random.Generator) -> pd.DataFrame:
    """``task_times.csv``: the attempts of every study of :data:`~cvlib.sample.plan.STUDIES`."""
    parts = []
    next_id = 1
    for study in STUDIES:
        frame, next_id = _study_rows(rng, study, next_id)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _owners(n_people: int, repeats: int, first: int = 0) -> np.ndarray:
    """Participant index of each attempt: everyone once, the first ``repeats`` twice."""
    return first + np.sort(np.concatenate([np.arange(n_people), np.arange(repeats)]))


def _study_rows(rng, study: Study, next_id: int) -> tuple[pd.DataFrame, int]:
    """Attempts of one usability study; participant numbers start at ``next_id``."""
    if study.paired:
        # The same people in both phases, each with their own speed; the last one
        # has no after attempt (dropped from the paired comparison).
        n_people = study.before.attempts - study.before.repeats
        if study.after.attempts > n_people - 1 or study.after.completed is None:
            raise ValueError(
                f"{study.task}: a paired study needs a dropout and an exact after count"
            )
        plan = [
            ("before", study.before, _owners(n_people, study.before.repeats)),
            ("after", study.after, np.arange(study.after.attempts)),
        ]
        speed = rng.normal(0.0, 0.30, n_people)
        noise = 0.6  # share of sdlog that varies within a person
    else:
        n_before = study.before.attempts - study.before.repeats
        n_after = study.after.attempts - study.after.repeats
        plan = [
            ("before", study.before, _owners(n_before, study.before.repeats)),
            ("after", study.after, _owners(n_after, study.after.repeats, n_before)),
        ]
        n_people = n_before + n_after
        speed = np.zeros(n_people)
        noise = 1.0
    segment = np.asarray(SEGMENTS)[rng.choice(3, size=n_people, p=PARTICIPANT_SEGMENT_SHARES)]

    frames = []
    for name, phase, owner in plan:
        n = phase.attempts
        logs = np.log(phase.gm) + speed[owner] + rng.normal(0.0, phase.sdlog * noise, n)
        second = np.zeros(n, dtype=bool)
        second[1:] = owner[1:] == owner[:-1]
        logs -= 0.15 * second  # a second attempt by the same person is a little faster

        if phase.completed is not None:
            completed = np.zeros(n, dtype=bool)
            completed[rng.permutation(n)[: phase.completed]] = True
        else:
            completed = rng.random(n) < phase.p_completed
        if study.calibrate and completed.any():
            # Shift so that the geometric mean over participants (mean of each one's
            # ln seconds, completed attempts only) is exactly gm.
            per_person = pd.Series(logs[completed]).groupby(owner[completed]).mean()
            logs += np.log(phase.gm) - per_person.mean()

        # Failed attempts: half were stopped without a time, half gave up after a while.
        seconds = np.exp(logs) * np.where(completed, 1.0, 1.6)
        timed = completed | (rng.random(n) < 0.5)
        text_seconds = [
            f"{max(x, 1.0):.1f}" if t else "" for x, t in zip(seconds, timed, strict=True)
        ]

        if phase.with_errors is not None:
            has_errors = np.zeros(n, dtype=bool)
            has_errors[rng.permutation(n)[: phase.with_errors]] = True
        else:
            p = np.where(completed, phase.p_errors, min(1.0, 2.0 * phase.p_errors))
            has_errors = rng.random(n) < p
        errors = np.where(has_errors, 1 + rng.poisson(0.5, n), 0)

        frames.append(
            pd.DataFrame(
                {
                    "release_id": study.release_id,
                    "task": study.task,
                    "participant_id": [f"P-{next_id + i:04d}" for i in owner.tolist()],
                    "phase": name,
                    "seconds": text_seconds,
                    "completed": np.where(completed, "true", "false"),
                    "errors": errors.astype(int),
                    "segment": segment[owner],
                }
            )
        )
    return pd.concat(frames, ignore_index=True), next_id + n_people
