/* expect: timeout -- rep lodsq through 8 TiB of addresses from unclaimed device memory up */
	.globl _start
_start:	movq $0xe0000000, %rsi
	movq $0x10000000000, %rcx
	rep lodsq
	jmp _start
