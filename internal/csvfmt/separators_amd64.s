//go:build !purego

#include "textflag.h"

// func separatorMasks(b []byte, dm, tm uint64, masks []uint64)
//
// For each 64 bytes of b (len(b) a multiple of 64, len(masks) >= len(b)/64), a mask
// with bit i set when byte i equals the low byte of dm or of tm: SSE2 compares 16
// bytes at a time (PCMPEQB) and PMOVMSKB gathers a bit per byte.
TEXT ·separatorMasks(SB), NOSPLIT, $0-64
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ dm+24(FP), X0
	PUNPCKLQDQ X0, X0
	MOVQ tm+32(FP), X1
	PUNPCKLQDQ X1, X1
	MOVQ masks_base+40(FP), DI
	SHRQ $6, CX
	JZ   done

loop:
	MOVOU 0(SI), X2
	MOVOU X2, X3
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	POR X3, X2
	PMOVMSKB X2, AX

	MOVOU 16(SI), X4
	MOVOU X4, X5
	PCMPEQB X0, X4
	PCMPEQB X1, X5
	POR X5, X4
	PMOVMSKB X4, BX

	MOVOU 32(SI), X6
	MOVOU X6, X7
	PCMPEQB X0, X6
	PCMPEQB X1, X7
	POR X7, X6
	PMOVMSKB X6, DX

	MOVOU 48(SI), X8
	MOVOU X8, X9
	PCMPEQB X0, X8
	PCMPEQB X1, X9
	POR X9, X8
	PMOVMSKB X8, R8

	SHLQ $16, BX
	ORQ  BX, AX
	SHLQ $32, DX
	ORQ  DX, AX
	SHLQ $48, R8
	ORQ  R8, AX
	MOVQ AX, 0(DI)

	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loop

done:
	RET

// func splitSeparatorMasks(b []byte, dm, tm uint64, delims, terms []uint64) (hasCR bool)
//
// separatorMasks with the delimiters' and the terminators' bits in masks of their own:
// delims[i] and terms[i] for b[64i:64i+64]; and whether b holds a CR, from a third
// compare per 16 bytes OR-ed into X11, in the same pass over b.
TEXT ·splitSeparatorMasks(SB), NOSPLIT, $0-89
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ dm+24(FP), X0
	PUNPCKLQDQ X0, X0
	MOVQ tm+32(FP), X1
	PUNPCKLQDQ X1, X1
	MOVQ $0x0d0d0d0d0d0d0d0d, AX
	MOVQ AX, X10
	PUNPCKLQDQ X10, X10
	PXOR X11, X11
	MOVQ delims_base+40(FP), DI
	MOVQ terms_base+64(FP), R9
	SHRQ $6, CX
	JZ   splitdone

splitloop:
	MOVOU 0(SI), X2
	MOVOU X2, X3
	MOVOU X2, X12
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	PCMPEQB X10, X12
	POR X12, X11
	PMOVMSKB X2, AX
	PMOVMSKB X3, R10

	MOVOU 16(SI), X4
	MOVOU X4, X5
	MOVOU X4, X13
	PCMPEQB X0, X4
	PCMPEQB X1, X5
	PCMPEQB X10, X13
	POR X13, X11
	PMOVMSKB X4, BX
	PMOVMSKB X5, R11

	MOVOU 32(SI), X6
	MOVOU X6, X7
	MOVOU X6, X14
	PCMPEQB X0, X6
	PCMPEQB X1, X7
	PCMPEQB X10, X14
	POR X14, X11
	PMOVMSKB X6, DX
	PMOVMSKB X7, R12

	MOVOU 48(SI), X8
	MOVOU X8, X9
	MOVOU X8, X15
	PCMPEQB X0, X8
	PCMPEQB X1, X9
	PCMPEQB X10, X15
	POR X15, X11
	PMOVMSKB X8, R8
	PMOVMSKB X9, R13

	SHLQ $16, BX
	ORQ  BX, AX
	SHLQ $32, DX
	ORQ  DX, AX
	SHLQ $48, R8
	ORQ  R8, AX
	MOVQ AX, 0(DI)

	SHLQ $16, R11
	ORQ  R11, R10
	SHLQ $32, R12
	ORQ  R12, R10
	SHLQ $48, R13
	ORQ  R13, R10
	MOVQ R10, 0(R9)

	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, R9
	DECQ CX
	JNZ  splitloop

splitdone:
	PMOVMSKB X11, AX
	TESTL AX, AX
	SETNE hasCR+88(FP)
	RET
