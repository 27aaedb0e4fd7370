#!/bin/sh
echo "coverage is not supported in the offline pimsim build" >&2
exit 1
