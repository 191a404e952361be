package audio

// The constants of ITU-T G.722, as its tables give them. The code-indexed
// tables are built once from the level lists and the code assignments.

// lowerMagnitudes6 are the output levels of the lower-band 6-bit inverse
// quantizer (INVQBL, QQ6 in the standard), for intervals 1 to 30 from the
// smallest magnitude up, in units of 2^-15 of the step size.
var lowerMagnitudes6 = [30]int{
	136, 432, 728, 1040, 1360, 1688, 2032, 2400, 2776, 3168,
	3576, 4008, 4464, 4944, 5456, 6000, 6576, 7192, 7856, 8576,
	9360, 10232, 11192, 12280, 13512, 14984, 16704, 19008, 21904, 24808,
}

// lowerMagnitudes4 are the levels of the 4-bit inverse quantizer that
// feeds the lower-band predictor (INVQAL, QQ4), index 0 for the codes of
// the two innermost intervals, whose level is 0.
var lowerMagnitudes4 = [8]int{0, 1200, 2584, 4240, 6288, 8968, 12896, 20456}

// lowerLogSteps are the log scale factor multipliers of the lower band
// (LOGSCL, WL), indexed like lowerMagnitudes4.
var lowerLogSteps = [8]int{-60, -30, 58, 172, 334, 538, 1198, 3042}

// inverseLog2 is one octave of 2^x for x in steps of 1/32, scaled by 2048
// (ILB, used by SCALEL and SCALEH).
var inverseLog2 = [32]int{
	2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
	2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
	2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
	3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
}

// qmfCoeff are the 24 QMF coefficients h0 to h23 scaled by 2^13; the
// filter is symmetric (h(i) = h(23-i)).
var qmfCoeff = [24]int{
	3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
	3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
}

// The higher band has four codes (G.722 Table for the 2-bit quantizer):
// 0 and 1 are the outer and inner negative intervals, 2 and 3 the outer
// and inner positive ones. INVQAH gives the levels (QQ2), LOGSCH the log
// scale factor multipliers (WH).
var (
	higherLevel2  = [4]int{-7408, -1616, 7408, 1616}
	higherLogStep = [4]int{798, -214, 798, -214}
)

// Code-indexed lower-band tables.
var (
	lowerLevel6  = buildLowerLevel6()
	lowerLevel4  [16]int
	lowerLogStep [16]int
)

func init() {
	for code := range 16 {
		mag, neg := lowerInterval4(code)
		lowerLevel4[code] = lowerMagnitudes4[mag]
		if neg {
			lowerLevel4[code] = -lowerLevel4[code]
		}
		lowerLogStep[code] = lowerLogSteps[mag]
	}
}

// lowerInterval4 maps a 4-bit lower-band code to its interval (0 for the
// innermost pair, 7 for the outermost) and sign. Codes 8 to 14 are the
// positive intervals from the outside in, 1 to 7 the negative ones; 15 and
// 0 are the innermost intervals of either sign, whose level is zero.
func lowerInterval4(code int) (mag int, neg bool) {
	switch {
	case code == 0 || code == 15:
		return 0, false
	case code < 8:
		return 8 - code, true
	default:
		return 15 - code, false
	}
}

// buildLowerLevel6 assigns the 6-bit codes to the 60 levels of QQ6.
// Positive intervals 1 to 30 (smallest first) have codes 61 down to 32;
// negative intervals 1 and 2 have codes 63 and 62, and 3 to 30 have codes
// 31 down to 4. Codes 0 to 3 are never sent by an encoder; they decode as
// negative interval 1, as ffmpeg's decoder does, so any octet decodes.
func buildLowerLevel6() [64]int {
	var t [64]int
	for k := 1; k <= 30; k++ {
		level := lowerMagnitudes6[k-1]
		t[62-k] = level
		if k <= 2 {
			t[64-k] = -level
		} else {
			t[34-k] = -level
		}
	}
	for code := range 4 {
		t[code] = -lowerMagnitudes6[0]
	}
	return t
}
