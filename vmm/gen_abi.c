/*
 * gen_abi.c -- `make docs` runs this to write guest/abi.s, the hypercall
 * numbers and shared-page offsets of vmm/vmm.h for the guest kernel's
 * assembly (tests/test_para.c checks that the file is up to date).
 */
#include <stdio.h>

#include "vmm/vmm.h"

int main(void)
{
    vmm_write_guest_abi(stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
