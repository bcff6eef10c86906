# image/: the program image format (.tlo) every layer loads. Depends on nothing.
CORE_SRCS += image/image.c
