# vmm/: the trap-and-emulate hypervisor. Depends on isa/ and machine/ only.
CORE_SRCS += vmm/vmm.c vmm/emulate.c vmm/shadow.c vmm/vdev.c vmm/hcall.c vmm/guest.c
