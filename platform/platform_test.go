package platform

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

func TestVCPU(t *testing.T) {
	p := Default()
	for _, tc := range []struct {
		mb   int
		want float64
	}{{1769, 1}, {3538, 2}, {10240, 10240.0 / 1769}, {128, 128.0 / 1769}} {
		if got := p.VCPU(tc.mb); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("VCPU(%d) = %v, want %v", tc.mb, got, tc.want)
		}
	}
	p.MaxVCPU = 2
	if got := p.VCPU(10240); got != 2 {
		t.Errorf("VCPU capped: VCPU(10240) = %v, want 2", got)
	}
}

// TestVisibleCores: the measured nproc steps (Platform.VisibleCoreStepsMB), and never fewer cores
// than the share when a platform file changes the share but not the steps.
func TestVisibleCores(t *testing.T) {
	p := Default()
	for mb, want := range map[int]int{128: 2, 1000: 2, 3008: 2, 3009: 3, 5000: 3, 5307: 3, 5308: 4, 7077: 5, 8845: 5, 8846: 6, 10240: 6} {
		if got := p.VisibleCores(mb); got != want {
			t.Errorf("VisibleCores(%d) = %d, want %d", mb, got, want)
		}
	}
	p.MBPerVCPU = 500
	if got := p.VisibleCores(2600); got != 6 {
		t.Errorf("with 500 MB per vCPU, VisibleCores(2600) = %d, want ceil(5.2) = 6", got)
	}
	for _, bad := range []string{`{"visible_core_steps_mb": [5000, 3000]}`, `{"visible_core_steps_mb": [0]}`, `null`} {
		if _, err := Parse("p.json", []byte(bad)); err == nil {
			t.Errorf("Parse(%s) accepted it", bad)
		}
	}
}

// TestParse: a platform file overrides the fields it names and leaves the rest at Default; a
// bad file is an error that names the file.
func TestParse(t *testing.T) {
	for name, js := range map[string]string{
		"unknown field": `{"keep_alive": 5}`,
		"negative":      `{"keep_alive_s": -5}`,
		"zero vcpu":     `{"max_vcpu": 0}`,
		"not json":      `{"keep_alive_s": }`,
	} {
		if _, err := Parse("p.json", []byte(js)); err == nil {
			t.Errorf("platform %s: no error", name)
		} else if !strings.Contains(err.Error(), "p.json") {
			t.Errorf("platform %s: error %q does not name the file", name, err)
		}
	}
	p, err := Parse("p.json", []byte(`{"keep_alive_s": 60, "bill_init": false}`))
	if err != nil || p.KeepAlive != 60 || p.BillInit || p.MBPerVCPU != 1769 {
		t.Errorf("override: %+v, %v", p, err)
	}
}

// TestParsePolicies: the named policies of the cold-start and limit rules, and the fields whose
// range depends on them, are errors that name the file, the field and the value.
func TestParsePolicies(t *testing.T) {
	for js, want := range map[string]string{
		`{"at_concurrency_limit": "drop"}`:        `at_concurrency_limit = "drop"`,
		`{"retry_backoff_rate": 0.5}`:             `retry_backoff_rate = 0.5`,
		`{"retry_interval_s": -1}`:                `retry_interval_s = -1`,
		`{"retry_interval_s": 0}`:                 `retry_interval_s = 0, want at least 0.001 s`,
		`{"retry_max_attempts": -2}`:              `retry_max_attempts = -2`,
		`{"warm_reuse": "lru"}`:                   `warm_reuse = "lru"`,
		`{"keep_alive_policy": "arima"}`:          `keep_alive_policy = "arima"`,
		`{"hybrid_range_s": 30}`:                  `hybrid_range_s = 30 is below hybrid_bin_s = 60`,
		`{"hybrid_bin_s": 0}`:                     `hybrid_bin_s = 0`,
		`{"hybrid_head_percentile": 99.5}`:        `hybrid_head_percentile = 99.5`,
		`{"hybrid_margin": -0.1}`:                 `hybrid_margin = -0.1`,
		`{"orchestration_overhead": "per-state"}`: `orchestration_overhead = "per-state"`,
		`{"execution_overhead_s": 5}`:             `execution_overhead_s = 5 with orchestration_overhead = "per-transition"`,
		`{"orchestration_overhead": "per-execution", "execution_overhead_s": -1}`: `execution_overhead_s = -1`,
	} {
		_, err := Parse("p.json", []byte(js))
		if err == nil || !strings.Contains(err.Error(), "p.json") || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error naming p.json and %s", js, err, want)
		}
	}
	for _, js := range []string{`{"at_concurrency_limit": "reject"}`, `{"at_concurrency_limit": "retry", "retry_max_attempts": 0}`,
		`{"orchestration_overhead": "per-execution", "execution_overhead_s": 5.4}`} {
		if _, err := Parse("p.json", []byte(js)); err != nil {
			t.Errorf("Parse(%s): %v", js, err)
		}
	}
}

// TestParseWhere: a platform file's errors give the line (and column) and the field: syntax and
// type errors, a duplicate key, and every value out of range at once, each with the line of its
// field and, past an upper limit, the limit and its reason.
func TestParseWhere(t *testing.T) {
	for js, want := range map[string]string{
		"{\n  \"keep_alive_s\": 60,\n  \"max_vcpu\": \"six\"\n}":    `p.json: platform: line 3, column 15: max_vcpu: want a number, got the string "six"`,
		"{\n  \"keep_alive_s\": 60,\n  \"keep_alive_s\": 70\n}":     `p.json: platform: line 3, column 3: top level: duplicate key "keep_alive_s", given twice in one object (a key may appear once)`,
		"{\n  \"keep_alive_s\": 60,\n  \"warm_reuse\": \"lru\",\n}": `p.json: platform: line 4, column 1: invalid JSON: invalid character '}' looking for beginning of object key string`,
		"{\n  \"storage_get_latency_s\": 1e300,\n  \"local_bytes_per_s\": 1e16,\n  \"put_usd\": 5,\n  \"concurrency_limit\": 100000000,\n  \"warm_reuse\": \"lru\"\n}": `p.json: platform: ` +
			`line 2: storage_get_latency_s = 1e+300, above the limit 1e+07 (seconds: 116 days); ` +
			`line 3: local_bytes_per_s = 1e+16, above the limit 1e+15 (bytes per second: 1 PB/s is past any network); ` +
			`line 5: concurrency_limit = 1e+08, above the limit 1e+07 (the engine holds at most 6.7e7 frames or VMs); ` +
			`line 4: put_usd = 5, above the limit 1 (USD per unit: thousands of times any provider's price); ` +
			`line 6: warm_reuse = "lru", want most-recent, newest, oldest or random`,
		`{"retry_max_attempts": 100}`: `p.json: platform: line 1: retry_interval_s = 1 x retry_backoff_rate = 2 ^ (retry_max_attempts = 100 - 1) makes a last wait of 6.34e+29 s, above the limit 1e+07 (seconds: 116 days)`,
	} {
		_, err := Parse("p.json", []byte(js))
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", js, err, want)
		}
	}
}

// TestValidateCap: a platform with more problems than jsonpos.MaxProblems lists the first 20 and counts
// the rest.
func TestValidateCap(t *testing.T) {
	p := Default()
	v := reflect.ValueOf(p).Elem()
	n := 0
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Float64 {
			f.SetFloat(math.NaN())
			n++
		}
	}
	err := p.Validate()
	if err == nil {
		t.Fatal("a platform of NaNs validated")
	}
	if got := strings.Count(err.Error(), "; "); got != jsonpos.MaxProblems {
		t.Errorf("%d parts, want %d problems and a count of the rest: %v", got+1, jsonpos.MaxProblems, err)
	}
	if !strings.HasSuffix(err.Error(), "more problems") || n <= jsonpos.MaxProblems {
		t.Errorf("no count of the problems left out (%d NaN fields): %v", n, err)
	}
}

// TestBandwidthFloor: a bandwidth below one byte a second is refused, naming the field (1e-300
// passed as > 0, then the simulation failed past its clock naming no field); one byte a second is
// taken.
func TestBandwidthFloor(t *testing.T) {
	for _, c := range []struct {
		json string
		ok   bool
	}{
		{`{"connection_bytes_per_s": 1e-300}`, false},
		{`{"vm_network_bytes_per_s": 0.5}`, false},
		{`{"local_bytes_per_s": 1}`, true},
		{`{"base": "azure-durable", "replay_bytes_per_s": 0.1}`, false},
	} {
		_, err := Parse("p.json", []byte(c.json))
		if c.ok != (err == nil) || err != nil && !strings.Contains(err.Error(), "want >= 1 byte a second") {
			t.Errorf("%s: %v", c.json, err)
		}
	}
}

// TestAzureDurable: the built-in azure-durable platform loads by name with the Consumption plan's
// documented constants, and validates.
func TestAzureDurable(t *testing.T) {
	p, err := Load(AzureDurable)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.FixedMemoryMB != 1536 || p.VCPU(1536) != 1 || p.VCPU(10240) != 1 || p.VisibleCores(1536) != 1 {
		t.Errorf("instance: %d MB, %v vCPU, %d cores; want 1536 MB, 1 vCPU, 1 core", p.FixedMemoryMB, p.VCPU(1536), p.VisibleCores(1536))
	}
	if p.GBSecondUSD != 0.000016 || p.BillingMinimum != 0.1 || p.BillingQuantum != 0.001 || p.BillInit {
		t.Errorf("billing: %v per GB-s, minimum %v s, quantum %v s, bill init %v", p.GBSecondUSD, p.BillingMinimum, p.BillingQuantum, p.BillInit)
	}
	if _, err := Parse("p.json", []byte(`{"replay_latency_s": 0.02}`)); err == nil {
		t.Error("replay_latency_s without orchestrator_replay accepted")
	}
	if !p.OrchestratorReplay || p.ReplayPerStep != 0.002 || p.ReplayBytesPerS != 2048000 {
		t.Errorf("replay: %v, %v s per step, %v B/s", p.OrchestratorReplay, p.ReplayPerStep, p.ReplayBytesPerS)
	}
	if d := Default(); d.FixedMemoryMB != 0 || d.BillingMinimum != 0 || d.OrchestratorReplay {
		t.Errorf("aws-lambda gained a fixed memory (%d) or a billing minimum (%v)", d.FixedMemoryMB, d.BillingMinimum)
	}
}

// TestParseBase: a file with "base" overrides that built-in platform, field by field; an unknown
// base is an error naming the file, the line and the value.
func TestParseBase(t *testing.T) {
	p, err := Parse("az.json", []byte("{\n  \"base\": \"azure-durable\",\n  \"keep_alive_s\": 300,\n  \"queue_polling_max_s\": 5\n}"))
	if err != nil {
		t.Fatal(err)
	}
	want := AzureDurableFunctions()
	want.Base, want.KeepAlive, want.QueuePollingMax = AzureDurable, 300, 5
	if !reflect.DeepEqual(p, want) {
		t.Errorf("azure-durable with two overrides:\n got %+v\nwant %+v", p, want)
	}
	// Without a base, or with aws-lambda, the file overrides Default.
	for _, js := range []string{`{"keep_alive_s": 300}`, `{"base": "aws-lambda", "keep_alive_s": 300}`} {
		p, err := Parse("aws.json", []byte(js))
		if err != nil || p.FixedMemoryMB != 0 || p.KeepAlive != 300 || p.OrchestratorReplay {
			t.Errorf("%s: %+v, %v; want aws-lambda with keep_alive_s 300", js, p, err)
		}
	}
	_, err = Parse("bad.json", []byte("{\n  \"base\": \"gcp\"\n}"))
	if err == nil || !strings.Contains(err.Error(), `bad.json: line 2`) || !strings.Contains(err.Error(), `base = "gcp"`) {
		t.Errorf("unknown base: %v", err)
	}
	// A base that is not a string is the strict decoder's positioned error.
	if _, err := Parse("bad.json", []byte(`{"base": 5}`)); err == nil || !strings.Contains(err.Error(), "base") {
		t.Errorf("base 5: %v", err)
	}
	// A field that must be 0 without replay is still checked against the base's values.
	if _, err := Parse("p.json", []byte(`{"base": "azure-durable", "orchestrator_replay": false}`)); err == nil {
		t.Error("azure-durable with replay off but its replay fields set: accepted")
	}
}

// TestMemorySizes: SizeMB rounds a plan's size to what the platform offers, MemoryChoices lists
// what a planner may choose, and bad size lists are errors.
func TestMemorySizes(t *testing.T) {
	aws, az, flex := Default(), AzureDurableFunctions(), AzureFlexConsumption()
	for _, tc := range []struct {
		p        *Platform
		ask, got int
	}{{aws, 3008, 3008}, {aws, 128, 128}, {az, 128, 1536}, {az, 10240, 1536},
		{flex, 128, 512}, {flex, 512, 512}, {flex, 513, 2048}, {flex, 3008, 4096}, {flex, 10240, 4096}} {
		if got := tc.p.SizeMB(tc.ask); got != tc.got {
			t.Errorf("SizeMB(%d) = %d, want %d", tc.ask, got, tc.got)
		}
	}
	if c := aws.MemoryChoices(); c != nil {
		t.Errorf("aws-lambda choices %v, want nil (any size)", c)
	}
	if c := az.MemoryChoices(); !reflect.DeepEqual(c, []int{1536}) {
		t.Errorf("azure-durable choices %v, want [1536]", c)
	}
	if c := flex.MemoryChoices(); !reflect.DeepEqual(c, []int{512, 2048, 4096}) {
		t.Errorf("azure-flex choices %v", c)
	}
	for js, want := range map[string]string{
		`{"memory_sizes_mb": [2048, 512]}`:                          "memory_sizes_mb[1] = 512",
		`{"memory_sizes_mb": [0]}`:                                  "memory_sizes_mb[0] = 0",
		`{"memory_sizes_mb": [20480]}`:                              "memory_sizes_mb[0] = 20480",
		`{"memory_sizes_mb": [64, 512]}`:                            "memory_sizes_mb[0] = 64, want increasing memory sizes from 128",
		`{"fixed_memory_mb": 100}`:                                  "fixed_memory_mb = 100, want 0 (none) or from 128 to 10240 MB",
		`{"fixed_memory_mb": -5}`:                                   "fixed_memory_mb = -5",
		`{"fixed_memory_mb": 1536, "memory_sizes_mb": [512]}`:       "at most one of them",
		`{"base": "azure-durable", "memory_sizes_mb": [512, 1024]}`: "at most one of them",
	} {
		if _, err := Parse("p.json", []byte(js)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", js, err, want)
		}
	}
}

// TestAzureFlex: the built-in azure-flex platform: Flex Consumption's sizes, cores and billing.
func TestAzureFlex(t *testing.T) {
	p, err := Load(AzureFlex)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for mb, cores := range map[int]float64{512: 0.25, 2048: 1, 4096: 2} {
		if p.VCPU(mb) != cores {
			t.Errorf("VCPU(%d) = %v, want %v", mb, p.VCPU(mb), cores)
		}
	}
	if p.VisibleCores(4096) != 2 || p.VisibleCores(512) != 1 {
		t.Errorf("visible cores %d, %d; want 2 at 4096 MB, 1 at 512 MB", p.VisibleCores(4096), p.VisibleCores(512))
	}
	if p.GBSecondUSD != 0.000026 || p.RequestUSD != 0.4e-6 || p.BillingMinimum != 1 || p.BillingQuantum != 0.1 {
		t.Errorf("billing: %v per GB-s, %v per execution, minimum %v s, quantum %v s", p.GBSecondUSD, p.RequestUSD, p.BillingMinimum, p.BillingQuantum)
	}
	if !p.OrchestratorReplay || p.OffloadBytes != 46080 || p.QueuePollingMax != 30 {
		t.Error("azure-flex lost the Durable Functions mechanisms of azure-durable")
	}
}

// TestAzureMechanismsByHand: the Consumption plan's documented orchestrator slots (5 per instance
// on at most partition_count = 4 instances), scale-out rate per trigger, billed memory (observed,
// rounded up to 128 MB, at most 1,536 MB) and per-app concurrency limit (200 instances x 10
// activities), worked out by hand; and the bad values of each field, named.
func TestAzureMechanismsByHand(t *testing.T) {
	p := AzureDurableFunctions()
	for n, want := range map[int]int{0: 5, 1: 5, 3: 15, 4: 20, 200: 20} {
		if got := p.OrchestratorSlots(n); got != want {
			t.Errorf("orchestrator slots with %d instances = %d, want %d", n, got, want)
		}
	}
	p.PartitionCount = 16
	if got := p.OrchestratorSlots(200); got != 80 {
		t.Errorf("orchestrator slots with 16 partitions = %d, want 80", got)
	}
	if p.ScaleOutInterval() != 30 || p.ConcurrencyLimit != 2000 {
		t.Errorf("non-http trigger: %v s between instances, concurrency limit %d; want 30 s, 2000", p.ScaleOutInterval(), p.ConcurrencyLimit)
	}
	p.ScaleTrigger = TriggerHTTP
	if p.ScaleOutInterval() != 1 {
		t.Errorf("http trigger: %v s between instances, want 1", p.ScaleOutInterval())
	}
	for _, c := range [][3]int{{1536, 0, 128}, {1536, 1, 128}, {1536, 128, 128}, {1536, 129, 256}, {1536, 1200, 1280}, {1536, 1800, 1536}} {
		if got := p.BilledMB(c[0], c[1]); got != c[2] {
			t.Errorf("azure-durable billed MB of a %d MB instance needing %d MB = %d, want %d", c[0], c[1], got, c[2])
		}
	}
	for _, q := range []*Platform{Default(), AzureFlexConsumption()} {
		if got := q.BilledMB(2048, 300); got != 2048 {
			t.Errorf("billed MB of a 2048 MB VM needing 300 MB = %d, want the VM's 2048", got)
		}
		if q.InstanceOrchestrators != 0 || q.ScaleOutInterval() != 0 || q.ConcurrencyLimit != 1000 {
			t.Errorf("aws-lambda or azure-flex gained orchestrator slots (%d), a scale interval (%v) or a limit other than 1000 (%d)",
				q.InstanceOrchestrators, q.ScaleOutInterval(), q.ConcurrencyLimit)
		}
	}
	// Spills: HTTP-triggered executions on Azure, 100 per Consumption instance (host.json
	// maxConcurrentRequests' default), a direct invoke on Lambda.
	if d, f := AzureDurableFunctions(), AzureFlexConsumption(); d.Spills != SpillsHTTP || d.HTTPInstanceConcurrency != 100 || f.Spills != SpillsHTTP ||
		Default().Spills != SpillsInvoke || d.NoSpills() != "" || f.NoSpills() != "" {
		t.Errorf("spills: azure-durable %q (%d per instance), azure-flex %q, aws-lambda %q, want http (100), http, invoke", d.Spills, d.HTTPInstanceConcurrency, f.Spills, Default().Spills)
	}
	if r, err := Parse("r.json", []byte(`{"base": "azure-flex", "spills": "refused"}`)); err != nil {
		t.Error(err)
	} else if r.NoSpills() == "" {
		t.Error("azure-flex with spills refused: NoSpills gives no reason")
	}
	for js, want := range map[string]string{
		`{"base": "azure-durable", "scale_trigger": "timer"}`:          `scale_trigger = "timer", want http or non-http`,
		`{"base": "azure-durable", "partition_count": 17}`:             `partition_count = 17`,
		`{"base": "azure-durable", "partition_count": 0}`:              `partition_count = 0`,
		`{"base": "azure-durable", "instance_orchestrators": -1}`:      `instance_orchestrators = -1`,
		`{"base": "azure-durable", "billed_memory_quantum_mb": 20000}`: `billed_memory_quantum_mb = 20000`,
		`{"scale_trigger": "http"}`:                                    `without instance_activities`,
		`{"base": "azure-durable", "spills": "sometimes"}`:             `spills = "sometimes", want invoke, http or refused`,
		`{"base": "azure-durable", "spills": "invoke"}`:                `an activity cannot start activities`,
		`{"base": "azure-durable", "http_instance_concurrency": 0}`:    `http_instance_concurrency = 0 with spills "http" and instance_activities 10, want >= 1`,
		`{"base": "azure-durable", "orchestrator_replay": false, "replay_latency_s": 0, "replay_per_step_s": 0, "replay_bytes_per_s": 0, "replay_billed_mb": 0, "queue_polling_max_s": 0}`: `orchestrator_replay false`,
	} {
		_, err := Parse("p.json", []byte(js))
		if err == nil || !strings.Contains(err.Error(), "p.json") || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error naming p.json and %s", js, err, want)
		}
	}
}

// TestAzureStoragePricesByHand: the storage transaction prices of the Azure platforms, from the
// per-10,000-operation prices of a general-purpose v2 account (docs/simulator.md, "Storage
// transaction prices"), worked out by hand:
//
//	LRS (azure-durable and azure-flex): a queue write or read $0.004 / 1e4 = $4e-7; a state
//	    transition 2 writes + 4 reads at $4e-7 and 2 table operations at $0.00036 / 1e4 = $3.6e-8:
//	    $2.4e-6 + $7.2e-8 = $2.472e-6; a blob write $0.055 / 1e4 = $5.5e-6, read $4.4e-7.
//	GRS: a queue write $0.008 / 1e4 = $8e-7, read $4e-7; a transition 2 x $8e-7 + 4 x $4e-7 +
//	    2 x $3.6e-8 = $3.272e-6; a blob write $0.11 / 1e4 = $1.1e-5, read $4.4e-7.
//
// docs/examples/azure-durable-grs.platform.json is azure-durable with the GRS prices.
func TestAzureStoragePricesByHand(t *testing.T) {
	type prices struct{ put, get, transition, blobPut, blobGet float64 }
	of := func(p *Platform) prices {
		return prices{p.PutUSD, p.GetUSD, p.TransitionUSD, p.BlobPutUSD, p.BlobGetUSD}
	}
	near := func(what string, got, want prices) {
		t.Helper()
		g, w := []float64{got.put, got.get, got.transition, got.blobPut, got.blobGet}, []float64{want.put, want.get, want.transition, want.blobPut, want.blobGet}
		for i := range g {
			if math.Abs(g[i]-w[i]) > 1e-18 {
				t.Errorf("%s: put, get, transition, blob put, blob get = %v, want %v", what, g, w)
				return
			}
		}
	}
	lrs := prices{4e-7, 4e-7, 2.472e-6, 5.5e-6, 4.4e-7}
	grs := prices{8e-7, 4e-7, 3.272e-6, 1.1e-5, 4.4e-7}
	near("azure-durable", of(AzureDurableFunctions()), lrs)
	near("azure-flex", of(AzureFlexConsumption()), lrs)
	p := AzureDurableFunctions()
	p.SetAzureStorage(AzureGPv2GRS)
	near("azure-durable on GRS", of(p), grs)
	if r := AzureStorageRange(); len(r) != 2 || r[0] != AzureGPv2LRS || r[1] != AzureGPv2GRS {
		t.Errorf("range %v, want LRS then GRS", r)
	}
	ex, err := Read(filepath.Join("..", "docs", "examples", "azure-durable-grs.platform.json"))
	if err != nil {
		t.Fatal(err)
	}
	near("docs/examples/azure-durable-grs.platform.json", of(ex), grs)
	// Beyond the prices (checked above to rounding), the example is azure-durable.
	p.Base, p.TransitionUSD = AzureDurable, ex.TransitionUSD
	if !reflect.DeepEqual(ex, p) {
		t.Errorf("the example differs from azure-durable on GRS beyond the prices:\n got %+v\nwant %+v", ex, p)
	}
}
