// JSON numbers read straight from bytes, with the value encoding/json gives them: for a float64
// the nearest float64 to the decimal, ties to even (strconv.ParseFloat's rounding), worked out
// exactly in integer arithmetic when the decimal has at most 19 significant digits and a power
// of ten at most 27 in size (a float64's shortest text, as encoding/json writes it, has at most
// 17; times in seconds and byte counts are within 10^±27), by strconv.ParseFloat otherwise.

package wisefuse

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// jsonNum is a JSON number as scanNumber reads it: mant·10^exp10, with its sign.
type jsonNum struct {
	neg      bool
	integral bool   // no fraction and no exponent
	digits   int    // significant digits, from the first nonzero one
	mant     uint64 // the significant digits as an integer: right when digits <= 19
	exp10    int    // the exponent, capped in size, less the digits after the point
}

// scanNumber reads the JSON number (RFC 8259 grammar) at b[i:] and returns it and where it ends.
// (It works in local variables, which stay in registers, and fills n at the end.)
func scanNumber(b []byte, i int) (n jsonNum, end int, ok bool) {
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	var digits, exp10 int
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		start := i
		mant, i = addDigits(b, i, 0)
		digits = i - start
	default:
		return n, i, false
	}
	integral := true
	if i < len(b) && b[i] == '.' {
		integral = false
		i++
		start := i
		if mant == 0 {
			for i < len(b) && b[i] == '0' { // leading zeros: not significant
				i++
			}
		}
		lead := i
		if mant, i = addDigits(b, i, mant); i == start {
			return n, i, false
		}
		digits += i - lead
		exp10 = start - i
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integral = false
		i++
		neg := i < len(b) && b[i] == '-'
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start, e := i, 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			e = min(e*10+int(b[i]-'0'), 1e6) // far beyond float64's range, and no overflow
		}
		if i == start {
			return n, i, false
		}
		if neg {
			e = -e
		}
		exp10 += e
	}
	return jsonNum{neg: neg, integral: integral, digits: digits, mant: mant, exp10: exp10}, i, true
}

// addDigits returns mant followed by the digits at b[i:] (wrapping past 19 digits, where it no
// longer counts), and where they end. mant*10 + digit for each would make a chain of dependent
// multiplications, most of the time of a read: eight digits at a time are one step of it.
func addDigits(b []byte, i int, mant uint64) (uint64, int) {
	for i+8 <= len(b) {
		v, ok := eightDigits(binary.LittleEndian.Uint64(b[i:]))
		if !ok {
			break
		}
		mant = mant*1e8 + v
		i += 8
	}
	for ; i < len(b) && b[i]-'0' <= 9; i++ {
		mant = mant*10 + uint64(b[i]-'0')
	}
	return mant, i
}

// eightDigits returns the value of eight bytes, the first in the low byte, when all are digits
// (the SWAR steps of simdjson's parse_eight_digits_unrolled: pairs, then quads, then all).
func eightDigits(x uint64) (uint64, bool) {
	const lo4, hi4 = 0x0F0F0F0F0F0F0F0F, 0xF0F0F0F0F0F0F0F0
	// Each byte is 0x30..0x39: its high half is 3, and adding 6 leaves it 3.
	if x&hi4|(x+0x0606060606060606)&hi4>>4 != 0x3333333333333333 {
		return 0, false
	}
	x = (x & lo4) * (10<<8 + 1) >> 8
	x = (x & 0x00FF00FF00FF00FF) * (100<<16 + 1) >> 16
	return (x & 0x0000FFFF0000FFFF) * (10000<<32 + 1) >> 32, true
}

// parseFloat reads the JSON number at b[i:] as encoding/json reads one into a float64: the
// value strconv.ParseFloat gives for its text, which fails when it is out of range.
func parseFloat(b []byte, i int) (float64, int, bool) {
	n, end, ok := scanNumber(b, i)
	if !ok {
		return 0, end, false
	}
	if f, ok := n.float(); ok {
		return f, end, true
	}
	v, err := strconv.ParseFloat(string(b[i:end]), 64)
	return v, end, err == nil
}

// parseInt reads the JSON number at b[i:] as encoding/json reads one into an int: the value
// strconv.ParseInt gives for its text, which fails on a fraction, an exponent, or a value out of
// int64's range.
func parseInt(b []byte, i int) (int, int, bool) {
	n, end, ok := scanNumber(b, i)
	switch {
	case !ok || !n.integral:
		return 0, end, false
	case n.digits <= 18: // < 10^18 < 2^63
		v := int(n.mant)
		if n.neg {
			v = -v
		}
		return v, end, true
	}
	v, err := strconv.ParseInt(string(b[i:end]), 10, 64)
	return int(v), end, err == nil
}

// pow10 holds the powers of ten a float64 holds exactly; pow5 those of five a uint64 holds.
var (
	pow10 [23]float64
	pow5  [28]uint64
)

func init() {
	pow10[0], pow5[0] = 1, 1
	for k := 1; k < len(pow10); k++ {
		pow10[k] = pow10[k-1] * 10 // exact: 10^22 < 2^53·2^22
	}
	for k := 1; k < len(pow5); k++ {
		pow5[k] = pow5[k-1] * 5 // 5^27 < 2^63
	}
}

// float returns the float64 nearest n, ties to even, as strconv.ParseFloat rounds a decimal; a
// float64 is fixed by its value and sign, so these are ParseFloat's bits. It reports false when
// n has more than 19 significant digits or a power of ten over 27 in size (zero aside): then
// ParseFloat must convert it.
func (n jsonNum) float() (float64, bool) {
	var f float64
	switch {
	case n.digits == 0:
		f = 0 // zero, whatever its exponent
	case n.digits > 19 || n.exp10 < -(len(pow5)-1) || n.exp10 > len(pow5)-1:
		return 0, false
	case n.mant <= 1<<53 && n.exp10 >= -(len(pow10)-1) && n.exp10 <= len(pow10)-1:
		// mant and 10^|exp10| are exact float64s, and one multiplication or division rounds
		// their exact product or quotient to the nearest, ties to even (strconv's own exact
		// path; Clinger 1990). The common case, and the fastest.
		f = float64(n.mant)
		if n.exp10 >= 0 {
			f *= pow10[n.exp10]
		} else {
			f /= pow10[-n.exp10]
		}
	case n.exp10 >= 0:
		// mant·10^e = mant·5^e·2^e: the product is exact in 128 bits.
		hi, lo := bits.Mul64(n.mant, pow5[n.exp10])
		f = nearest(hi, lo, false, n.exp10)
	default:
		// mant·10^-a = (mant·2^s / 5^a)·2^(-a-s), with s such that the quotient has 63 or 64
		// bits: with L and K the bit lengths of mant and 5^a, mant·2^s < 2^(L+s) = 2^(K+63) <=
		// 5^a·2^64, which bits.Div64 needs (hi < 5^a), and the quotient is at least
		// 2^(L-1+s-K) = 2^62. Its remainder tells whether anything lies below it.
		d := pow5[-n.exp10]
		s := bits.Len64(d) + 63 - bits.Len64(n.mant)
		var hi, lo uint64
		if s < 64 {
			hi, lo = n.mant>>(64-s), n.mant<<s // a shift by 64 gives 0
		} else {
			hi = n.mant << (s - 64)
		}
		q, r := bits.Div64(hi, lo, d)
		f = nearest(0, q, r != 0, n.exp10-s)
	}
	if n.neg {
		f = -f
	}
	return f, true
}

// nearest returns (hi·2^64 + lo + δ)·2^e rounded to the nearest float64, ties to even, where
// 0 <= δ < 1 and below reports δ > 0, for a value that is not 0 and lies well within the
// normal float64s (float's values: 10^-27 to 2^64·10^27).
func nearest(hi, lo uint64, below bool, e int) float64 {
	// Bring the value's top bit to bit 63 of x, keeping whether any bit under x is set.
	var x uint64
	if hi != 0 {
		k := bits.Len64(hi)
		x = hi<<(64-k) | lo>>k
		below = below || lo<<(64-k) != 0
		e += k
	} else {
		k := bits.LeadingZeros64(lo)
		x = lo << k
		e -= k
	}
	// Keep the top 53 bits; the 11 under them and below decide the rounding.
	mant, rest := x>>11, x&(1<<11-1)
	if rest > 1<<10 || rest == 1<<10 && (below || mant&1 == 1) {
		mant++ // 2^53 at most, still exact
	}
	return math.Ldexp(float64(mant), e+11)
}
