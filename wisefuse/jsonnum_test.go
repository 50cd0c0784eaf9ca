package wisefuse

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// checkNumber: parseFloat and parseInt take a JSON number's text exactly when encoding/json
// would (json.Valid), and give strconv.ParseFloat's bits and strconv.ParseInt's value, failing
// where they fail. It reports whether float's exact conversion, not ParseFloat, made the value.
func checkNumber(t *testing.T, text string) (exact bool) {
	t.Helper()
	b := []byte(text)
	n, end, ok := scanNumber(b, 0)
	whole := ok && end == len(b)
	isNum := len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') && b[len(b)-1] >= '0' && b[len(b)-1] <= '9'
	if valid := json.Valid(b) && isNum; whole != valid {
		t.Fatalf("%q: scanNumber takes it %v (to byte %d of %d), json.Valid %v", text, whole, end, len(b), valid)
	}
	if !whole {
		return false
	}
	want, werr := strconv.ParseFloat(text, 64)
	got, gend, gok := parseFloat(b, 0)
	if gend != len(b) || gok != (werr == nil) || gok && math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("%q: parseFloat = %v (%#x), %v; strconv.ParseFloat = %v (%#x), %v",
			text, got, math.Float64bits(got), gok, want, math.Float64bits(want), werr)
	}
	wantN, nerr := strconv.ParseInt(text, 10, 64)
	gotN, nend, nok := parseInt(b, 0)
	if nend != len(b) || nok != (nerr == nil) || nok && int64(gotN) != wantN {
		t.Fatalf("%q: parseInt = %d, %v; strconv.ParseInt = %d, %v", text, gotN, nok, wantN, nerr)
	}
	_, exact = n.float()
	return exact
}

// TestParseFloatMatchesStrconv: on numbers of every shape (up to 25 digits before and after the
// point, exponents to 400 in size), on the shortest text of random float64s (as encoding/json
// writes them: video's profile is such numbers) and on decimals exactly halfway between two
// float64s or next to such a point, parseFloat gives strconv.ParseFloat's bits.
func TestParseFloatMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	digits := func(n int) string {
		var sb strings.Builder
		for range n {
			sb.WriteByte(byte('0' + rng.IntN(10)))
		}
		return sb.String()
	}
	var texts []string
	for _, s := range []string{"0", "-0", "0e999999", "-0.0e-999999", "1e22", "1e23", "9007199254740992", "9007199254740993",
		"9999999999999999999", "10000000000000000000", "18446744073709551615", "1e27", "1e28", "1e-27", "1e-28",
		"1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324", "2e-324", "1e400", "1e-400",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "123456789012345678"} {
		texts = append(texts, s)
	}
	for range 200000 {
		s := ""
		if rng.IntN(4) == 0 {
			s = "-"
		}
		if rng.IntN(5) == 0 {
			s += "0"
		} else {
			s += string(byte('1'+rng.IntN(9))) + digits(rng.IntN(22))
		}
		if rng.IntN(3) > 0 {
			s += "." + digits(1+rng.IntN(22))
		}
		switch rng.IntN(4) {
		case 0:
			s += fmt.Sprintf("e%d", rng.IntN(61)-30)
		case 1:
			s += fmt.Sprintf("E+%d", rng.IntN(400))
		}
		texts = append(texts, s)
	}
	for range 200000 {
		x := math.Float64frombits(rng.Uint64())
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if rng.IntN(2) == 0 {
			x = float64(rng.IntN(100)) + rng.Float64() // times as a profile holds them
		}
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	// Halfway points: an odd 54-bit integer t lies halfway between two float64s, and so does
	// t·2^k; written out exactly (t·5^k with k decimals for k < 0), with the decimals next to it.
	for range 20000 {
		t54 := new(big.Int).SetUint64(1<<53 | rng.Uint64N(1<<53) | 1)
		k := rng.IntN(21) - 10
		var m *big.Int
		scale := 0
		if k >= 0 {
			m = new(big.Int).Lsh(t54, uint(k))
		} else {
			m = new(big.Int).Mul(t54, new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(-k)), nil))
			scale = -k
		}
		for _, d := range []int64{0, -1, 1} {
			md := new(big.Int).Add(m, big.NewInt(d)).String()
			texts = append(texts, md+"e"+strconv.Itoa(-scale))
			if scale > 0 && scale < len(md) {
				texts = append(texts, md[:len(md)-scale]+"."+md[len(md)-scale:])
			}
		}
	}
	exact := 0
	for _, s := range texts {
		if checkNumber(t, s) {
			exact++
		}
	}
	t.Logf("%d numbers, %d converted exactly without strconv.ParseFloat", len(texts), exact)
	// The exact conversion must carry most of them, or this checks little of it.
	if exact < len(texts)/2 {
		t.Errorf("%d of %d numbers converted exactly, want at least half", exact, len(texts))
	}
}

// FuzzParseNumber: on any text, scanNumber, parseFloat and parseInt agree with json.Valid,
// strconv.ParseFloat and strconv.ParseInt (checkNumber); never a panic.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", "2.1468000000004395", "9007199254740993", "1e-27", "4503599627370496.5",
		"12345678901234567890", "1e400", "01", "1.", ".5", "-", "1e", "+1", "0x10", "1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkNumber(t, s) })
}

// TestNumArrays: arrays of numbers decode as encoding/json decodes them into []float64 and
// []int, bit for bit, or are declined where it fails; among them numbers written as the one
// before them, or as its start (decode takes the value before for the first, not the second).
func TestNumArrays(t *testing.T) {
	for _, text := range []string{
		"[]", "[ ]", "[1]", "[1,1]", "[1, 1 ,1\n]", "[1,1e2]", "[1,1.5]", "[1.5,1.55]", "[1.55,1.5]", "[2,2.0]",
		"[-0,-0,0]", "[0,-0]", "[1,1,]", "[,1]", "[1 1]", "[1,,1]", "[1,1-]", "[1,1+]", "[1e5,1e5,1e50]", "[1e5,1e5E]",
		"[2.1468000000004395,2.1468000000004395,2.14680000000043951]", "[7,7.]", "[7,07]", "[7,7x]", "[\t7\r,\t7 ]",
		"[300,300,300,3000]", "[9223372036854775807,9223372036854775807,9223372036854775808]", "[1e400]", "[1,1e400]",
	} {
		var wantF []float64
		ferr := json.Unmarshal([]byte(text), &wantF)
		var wantN []int
		nerr := json.Unmarshal([]byte(text), &wantN)
		d := &profileDec{data: []byte(text)}
		var gotF []float64
		fok := d.floats(&gotF) && d.i == len(text) && decodeNumArrays(d.arrays)
		d = &profileDec{data: []byte(text)}
		var gotN []int
		nok := d.ints(&gotN) && d.i == len(text) && decodeNumArrays(d.arrays)
		if fok != (ferr == nil) || fok && fmt.Sprint(gotF) != fmt.Sprint(wantF) {
			t.Errorf("%s as floats: %v, %v; encoding/json: %v, %v", text, gotF, fok, wantF, ferr)
		}
		for k := range gotF {
			if fok && math.Float64bits(gotF[k]) != math.Float64bits(wantF[k]) {
				t.Errorf("%s as floats: [%d] = %#x, encoding/json %#x", text, k, math.Float64bits(gotF[k]), math.Float64bits(wantF[k]))
			}
		}
		if nok != (nerr == nil) || nok && fmt.Sprint(gotN) != fmt.Sprint(wantN) {
			t.Errorf("%s as ints: %v, %v; encoding/json: %v, %v", text, gotN, nok, wantN, nerr)
		}
	}
}
