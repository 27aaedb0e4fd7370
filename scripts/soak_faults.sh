# The fault set of scripts/soak.sh and scripts/abuse.sh (sourced by both):
# 503 2 %, 500 0.5 %, 429 with Retry-After: 1 1 %, a reset before and a
# response lost after processing 0.3 % each, on item reads, list pages and
# writes. Sets FAULTS (the one-line specs) and FAULT_FLAGS (--fault=SPEC each).
FAULTS=(
  "status=503,p=0.02,route=get_item|list|write_item,name=soak-503"
  "status=500,p=0.005,route=get_item|list|write_item,name=soak-500"
  "status=429,retry_after=1s,p=0.01,route=get_item|list|write_item,name=soak-429"
  "disconnect=before,close=reset,p=0.003,route=get_item|list|write_item,name=soak-reset"
  "disconnect=after,p=0.003,route=get_item|list|write_item,name=soak-lost-response"
)
FAULT_FLAGS=()
for f in "${FAULTS[@]}"; do FAULT_FLAGS+=("--fault=$f"); done
