# util/: helpers below every layer (JSON and XML escaping). Depends on nothing.
CORE_SRCS += util/json.c
