//go:build !purego

#include "textflag.h"

// func separatorMasksSSE2(b []byte, dm, tm uint64, masks []uint64)
//
// For each 64 bytes of b (len(b) a multiple of 64, len(masks) >= len(b)/64), a mask
// with bit i set when byte i equals the low byte of dm or of tm: SSE2 compares 16
// bytes at a time (PCMPEQB) and PMOVMSKB gathers a bit per byte.
TEXT ·separatorMasksSSE2(SB), NOSPLIT, $0-64
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

// func splitSeparatorMasksSSE2(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool)
//
// separatorMasks with the delimiters' and the terminators' bits in masks of their own:
// delims[i] and terms[i] for b[64i:64i+64], 16 bytes at a time; whether b holds a CR,
// from a third compare OR-ed into X11; and a fourth for quotes, OR-ed into X12 per
// block: the loop stops after the first block that holds one (blocks: those done).
TEXT ·splitSeparatorMasksSSE2(SB), NOSPLIT, $0-97
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ dm+24(FP), X0
	PUNPCKLQDQ X0, X0
	MOVQ tm+32(FP), X1
	PUNPCKLQDQ X1, X1
	MOVQ $0x0d0d0d0d0d0d0d0d, AX
	MOVQ AX, X10
	PUNPCKLQDQ X10, X10
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X13
	PUNPCKLQDQ X13, X13
	PXOR X11, X11
	MOVQ delims_base+40(FP), DI
	MOVQ terms_base+64(FP), R9
	SHRQ $6, CX
	MOVQ CX, R8
	JZ   splitdone

splitloop:
	PXOR X12, X12
	MOVOU 0(SI), X2
	MOVOU X2, X3
	MOVOU X2, X4
	MOVOU X2, X5
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	PCMPEQB X10, X4
	PCMPEQB X13, X5
	POR X4, X11
	POR X5, X12
	PMOVMSKB X2, AX
	PMOVMSKB X3, R10

	MOVOU 16(SI), X2
	MOVOU X2, X3
	MOVOU X2, X4
	MOVOU X2, X5
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	PCMPEQB X10, X4
	PCMPEQB X13, X5
	POR X4, X11
	POR X5, X12
	PMOVMSKB X2, BX
	PMOVMSKB X3, DX
	SHLQ $16, BX
	ORQ  BX, AX
	SHLQ $16, DX
	ORQ  DX, R10

	MOVOU 32(SI), X2
	MOVOU X2, X3
	MOVOU X2, X4
	MOVOU X2, X5
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	PCMPEQB X10, X4
	PCMPEQB X13, X5
	POR X4, X11
	POR X5, X12
	PMOVMSKB X2, BX
	PMOVMSKB X3, DX
	SHLQ $32, BX
	ORQ  BX, AX
	SHLQ $32, DX
	ORQ  DX, R10

	MOVOU 48(SI), X2
	MOVOU X2, X3
	MOVOU X2, X4
	MOVOU X2, X5
	PCMPEQB X0, X2
	PCMPEQB X1, X3
	PCMPEQB X10, X4
	PCMPEQB X13, X5
	POR X4, X11
	POR X5, X12
	PMOVMSKB X2, BX
	PMOVMSKB X3, DX
	SHLQ $48, BX
	ORQ  BX, AX
	SHLQ $48, DX
	ORQ  DX, R10

	MOVQ AX, 0(DI)
	MOVQ R10, 0(R9)
	PMOVMSKB X12, BX
	TESTL BX, BX
	JNZ  splitquote

	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, R9
	DECQ CX
	JNZ  splitloop

splitdone:
	MOVQ R8, blocks+88(FP)
	PMOVMSKB X11, AX
	TESTL AX, AX
	SETNE hasCR+96(FP)
	RET

splitquote:
	SUBQ CX, R8
	INCQ R8
	JMP  splitdone

// func splitSeparatorMasksAVX512(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool)
//
// splitSeparatorMasks with AVX-512BW: one VPCMPEQB compares 64 bytes into a k-mask,
// which is the 64-bit mask itself; the CR compares are OR-ed into K4; a quote in K5
// ends the loop.
TEXT ·splitSeparatorMasksAVX512(SB), NOSPLIT, $0-97
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ dm+24(FP), AX
	VPBROADCASTB AX, Z0
	MOVQ tm+32(FP), AX
	VPBROADCASTB AX, Z1
	MOVL $0x0d, AX
	VPBROADCASTB AX, Z2
	MOVL $0x22, AX
	VPBROADCASTB AX, Z4
	KXORQ K4, K4, K4
	MOVQ delims_base+40(FP), DI
	MOVQ terms_base+64(FP), R9
	SHRQ $6, CX
	MOVQ CX, R8
	JZ   avx512done

avx512loop:
	VMOVDQU64 0(SI), Z3
	VPCMPEQB Z0, Z3, K1
	VPCMPEQB Z1, Z3, K2
	VPCMPEQB Z2, Z3, K3
	VPCMPEQB Z4, Z3, K5
	KMOVQ K1, AX
	KMOVQ K2, BX
	KORQ K3, K4, K4
	MOVQ AX, 0(DI)
	MOVQ BX, 0(R9)
	KORTESTQ K5, K5
	JNZ  avx512quote
	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, R9
	DECQ CX
	JNZ  avx512loop

avx512done:
	MOVQ R8, blocks+88(FP)
	KORTESTQ K4, K4
	SETNE hasCR+96(FP)
	VZEROUPPER
	RET

avx512quote:
	SUBQ CX, R8
	INCQ R8
	JMP  avx512done

// func splitSeparatorMasksAVX2(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool)
//
// splitSeparatorMasks with AVX2: 32 bytes a compare, two VPMOVMSKBs a mask.
TEXT ·splitSeparatorMasksAVX2(SB), NOSPLIT, $0-97
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ dm+24(FP), X0
	VPBROADCASTB X0, Y0
	MOVQ tm+32(FP), X1
	VPBROADCASTB X1, Y1
	MOVQ $0x0d0d0d0d0d0d0d0d, AX
	MOVQ AX, X2
	VPBROADCASTB X2, Y2
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X9
	VPBROADCASTB X9, Y9
	VPXOR Y10, Y10, Y10
	MOVQ delims_base+40(FP), DI
	MOVQ terms_base+64(FP), R9
	SHRQ $6, CX
	MOVQ CX, R8
	JZ   avx2done

avx2loop:
	VMOVDQU 0(SI), Y3
	VMOVDQU 32(SI), Y4
	VPCMPEQB Y0, Y3, Y5
	VPCMPEQB Y0, Y4, Y6
	VPMOVMSKB Y5, AX
	VPMOVMSKB Y6, BX
	SHLQ $32, BX
	ORQ  BX, AX
	MOVQ AX, 0(DI)
	VPCMPEQB Y1, Y3, Y7
	VPCMPEQB Y1, Y4, Y8
	VPMOVMSKB Y7, AX
	VPMOVMSKB Y8, BX
	SHLQ $32, BX
	ORQ  BX, AX
	MOVQ AX, 0(R9)
	VPCMPEQB Y2, Y3, Y5
	VPCMPEQB Y2, Y4, Y6
	VPOR Y5, Y10, Y10
	VPOR Y6, Y10, Y10
	VPCMPEQB Y9, Y3, Y11
	VPCMPEQB Y9, Y4, Y12
	VPOR Y11, Y12, Y11
	VPMOVMSKB Y11, DX
	TESTL DX, DX
	JNZ  avx2quote
	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, R9
	DECQ CX
	JNZ  avx2loop

avx2done:
	MOVQ R8, blocks+88(FP)
	VPMOVMSKB Y10, AX
	TESTL AX, AX
	SETNE hasCR+96(FP)
	VZEROUPPER
	RET

avx2quote:
	SUBQ CX, R8
	INCQ R8
	JMP  avx2done

// func separatorMasksAVX512(b []byte, dm, tm uint64, masks []uint64)
//
// separatorMasks with AVX-512BW: two VPCMPEQBs of 64 bytes, their k-masks OR-ed.
TEXT ·separatorMasksAVX512(SB), NOSPLIT, $0-64
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ dm+24(FP), AX
	VPBROADCASTB AX, Z0
	MOVQ tm+32(FP), AX
	VPBROADCASTB AX, Z1
	MOVQ masks_base+40(FP), DI
	SHRQ $6, CX
	JZ   sm512done

sm512loop:
	VMOVDQU64 0(SI), Z3
	VPCMPEQB Z0, Z3, K1
	VPCMPEQB Z1, Z3, K2
	KORQ K1, K2, K1
	KMOVQ K1, AX
	MOVQ AX, 0(DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  sm512loop

sm512done:
	VZEROUPPER
	RET

// func separatorMasksAVX2(b []byte, dm, tm uint64, masks []uint64)
//
// separatorMasks with AVX2: 32 bytes a compare.
TEXT ·separatorMasksAVX2(SB), NOSPLIT, $0-64
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ dm+24(FP), X0
	VPBROADCASTB X0, Y0
	MOVQ tm+32(FP), X1
	VPBROADCASTB X1, Y1
	MOVQ masks_base+40(FP), DI
	SHRQ $6, CX
	JZ   sm2done

sm2loop:
	VMOVDQU 0(SI), Y3
	VMOVDQU 32(SI), Y4
	VPCMPEQB Y0, Y3, Y5
	VPCMPEQB Y1, Y3, Y6
	VPOR Y6, Y5, Y5
	VPCMPEQB Y0, Y4, Y7
	VPCMPEQB Y1, Y4, Y8
	VPOR Y8, Y7, Y7
	VPMOVMSKB Y5, AX
	VPMOVMSKB Y7, BX
	SHLQ $32, BX
	ORQ  BX, AX
	MOVQ AX, 0(DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  sm2loop

sm2done:
	VZEROUPPER
	RET
