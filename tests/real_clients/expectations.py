"""What each real client should get from the checker under run_client.py's
CI-gate fault set: the one table real_client_test.py checks runs against.

Derived from /work/shared/reference/client-behaviour.md ("Client defaults,
read from source" and "Predicted verdicts"; R-numbers below are its rule
numbers) for the clients as configured here. Each entry:

  verdict     PASS or FAIL.
  violated    rules the client must break (any severity), with why.
  may         rules it may break or not on a given run (too few samples, a
              seeded fault that may miss the writes, a share near its
              threshold), with why.
  final_only  rules of `violated` judged only by a final report: on a live
              report retry.abandoned leaves the last max(Retry-After, 60 s)
              of the journal unjudged, which is all of a 45 s run.

A rule in neither list must not be violated. The entries hold for both
workloads: a planned repeat of a request is not a retry, so `repeat` must be
judged as `unique` is.
"""

# The workload's own doing, not the client library's: every client may break
# these (R15 and R11 "W" in client-behaviour.md).
APPLICATION = {
    "batch.unused": "the workload writes single products, ~30 in 10 s (advice)",
    "throttle.ignored": "three lanes go on while the fourth waits out a 429 (warning)",
}

EXPECTATIONS = {
    "curl": {
        "verdict": "PASS",
        "violated": {
            "retry.abandoned": "R9: no retries at all, every transient failure is left",
        },
        "may": {},
        "final_only": {"retry.abandoned"},
    },
    "curl-retry": {
        "verdict": "FAIL",
        "violated": {
            "backoff.no_jitter": "R6: 1 s, 2 s, 4 s ... exactly, in lockstep across requests",
        },
        "may": {
            "retry.non_idempotent":
                "R10: re-sends a POST after a 500/502/504 (1 % each: may miss the POSTs), and "
                "libcurl re-sends at once when a reused connection dies before any response",
            "retry.abandoned": "R9 for resets (curl retries no reset without "
                               "--retry-all-errors); a share of all isolated failures",
        },
        "final_only": set(),
    },
    "urllib3": {
        "verdict": "FAIL",
        "violated": {
            "backoff.immediate": "R4: urllib3 1.26 sleeps 0 s before the first retry",
            "backoff.no_jitter": "R6: no jitter at all: 0 s, then 1 s, 2 s ... exactly",
        },
        "may": {
            "retry.abandoned": "R9 for POST and PATCH (not in the default allowed_methods)",
        },
        "final_only": set(),
    },
    "got": {
        "verdict": "PASS",
        "violated": {},
        "may": {
            "backoff.no_jitter": "R6 weak: 0-100 ms of noise on 1 s, CV ~0.03 (a warning)",
            "retry.abandoned": "R9 for POST and PATCH 429/503 (not in the default methods)",
        },
        "final_only": set(),
    },
    "axios-retry": {
        "verdict": "FAIL",
        "violated": {
            "retry.non_idempotent": "R10: re-sends a POST at once after its connection dropped",
            "backoff.immediate": "R4: no delay (3 retries at 0 ms unless Retry-After)",
            "backoff.no_jitter": "R6: every retry at 0 ms, in lockstep",
        },
        "may": {
            "backoff.not_growing": "R5: 0 ms every time, judged only with 5+ chains of 3+ "
                                   "attempts",
            "retry.abandoned": "R9 for POST and PATCH 429 (not idempotent to axios-retry)",
        },
        "final_only": set(),
    },
}
