package platform

import (
	"encoding/json"
	"testing"
)

// FuzzParse: any bytes either parse into a platform that validates, or give an error; never a
// panic.
func FuzzParse(f *testing.F) {
	def, _ := json.Marshal(Default())
	f.Add(def)
	f.Add([]byte(`{"transition_latency_s": 0.05}`))
	f.Add([]byte(`{"max_vcpu": 0}`))
	f.Add([]byte(`{"mb_per_vcpu": 1e308, "keep_alive_s": -1}`))
	f.Add([]byte(`{"a": 1, "a": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.json", data)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse accepted a platform that does not validate: %v", err)
		}
	})
}
