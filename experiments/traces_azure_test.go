package experiments

import (
	"math"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/traces"
)

// TestAzureVariants: each variant turns off exactly its mechanisms, and every platform validates.
func TestAzureVariants(t *testing.T) {
	for _, v := range azureVariants {
		p := v.platform()
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if v.AWS {
			if p.OrchestratorReplay || p.OffloadBytes != 0 || p.QueuePollingMax != 0 || p.InstanceActivities != 0 {
				t.Errorf("%s has Azure mechanisms", v.Name)
			}
			continue
		}
		if replay := p.ReplayLatency > 0 && p.ReplayPerStep > 0 && p.ReplayBytesPerS > 0; replay != v.Replay {
			t.Errorf("%s: replay delays %v, want %v", v.Name, replay, v.Replay)
		}
		if (p.OffloadBytes > 0) != v.Offload || (p.QueuePollingMax > 0) != v.Polling || (p.InstanceActivities > 0) != v.Instances {
			t.Errorf("%s: offload %v polling %v instances %v, want %v %v %v", v.Name, p.OffloadBytes, p.QueuePollingMax, p.InstanceActivities,
				v.Offload, v.Polling, v.Instances)
		}
	}
}

// TestAzureCharacterizationCell: a small cell runs; with every mechanism off azure-durable gives
// the generated functions what aws-lambda gives them (one vCPU each), so the latencies agree,
// and with the mechanisms on every DAG invocation is slower at the median.
func TestAzureCharacterizationCell(t *testing.T) {
	run := func(v azureVariant) Row {
		rows, err := runAzureCharacterization(Cell{Params: azureCell{Variant: v, DataModel: traces.DataBlobTrace, DAGs: 300, Invocations: 20_000, RunsPerDAG: 2}}, 0)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%s: %d rows, %v", v.Name, len(rows), err)
		}
		return rows[0]
	}
	aws, none, all := run(azureVariants[0]), run(azureVariants[6]), run(azureVariants[1])
	tab := &Table{Schema: azureCharacterizationSchema}
	p50 := tab.Col("latency_p50_s")
	if aws[p50] != none[p50] {
		t.Errorf("median latency: aws-lambda %v, azure-durable without mechanisms %v; want equal", aws[p50], none[p50])
	}
	if !(all[p50].(float64) > none[p50].(float64)) {
		t.Errorf("median latency with the mechanisms %v, without %v: want slower", all[p50], none[p50])
	}
	for _, c := range []string{"median_latency_ratio_data", "median_latency_ratio_skew"} {
		if x := all[tab.Col(c)].(float64); math.IsNaN(x) || x <= 0 {
			t.Errorf("%s = %v", c, x)
		}
	}
}

// TestAzureCharacterizationSummary: on a hand-made table, the report's summary is one row per
// data model, all mechanisms on against all off, and every per-variant row is a section detail.
func TestAzureCharacterizationSummary(t *testing.T) {
	tb := &Table{Schema: azureCharacterizationSchema}
	for _, r := range []struct {
		variant, model string
		data, skew     float64
	}{
		{"aws-lambda", "lognormal", 1.1, 2}, {"azure-durable", "lognormal", 1.5, 3}, {azureNoMechanisms, "lognormal", 1.2, 2.5},
		{"aws-lambda", "blob", 1.0, 2}, {"azure-durable", "blob", 10, 18}, {azureNoMechanisms, "blob", 1.3, 2},
	} {
		tb.Rows = append(tb.Rows, rowOf(azureCharacterizationRow{Variant: r.variant, DataModel: r.model, RatioData: r.data, RatioSkew: r.skew,
			P50Small: 1, P50Large: 2, LargeShare: 0.1}))
	}
	var summary []Headline
	details := 0
	for _, h := range azureCharacterizationHeadlines(tb) {
		if h.Detail {
			details++
		} else {
			summary = append(summary, h)
		}
	}
	if details != len(tb.Rows) || len(summary) != 2 {
		t.Fatalf("%d summary and %d detail headlines, want 2 and %d", len(summary), details, len(tb.Rows))
	}
	if s := summary[0]; s.Ours != "on 1.50x; 3.00x, off 1.20x; 2.50x" ||
		!strings.Contains(s.Means, "below the paper's 9.5x and the skew ratio below its 17x, so these mechanisms alone") {
		t.Errorf("lognormal summary = %+v", s)
	}
	if s := summary[1]; !strings.Contains(s.Claim, "blob data") || !strings.Contains(s.Means, "at or above the paper's 9.5x") ||
		strings.Contains(s.Means, "alone do not") {
		t.Errorf("blob summary = %+v", s)
	}
}
