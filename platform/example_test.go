package platform_test

import (
	"fmt"
	"log"

	"github.com/wisefuse/wisefuse/platform"
)

// The default platform is AWS Lambda: a VM's CPU share grows with its memory, one vCPU per
// 1,769 MB (capped at 6), over at least 2 cores the guest sees.
func ExampleDefault() {
	p := platform.Default()
	for _, mb := range []int{1024, 1769, 3008, 10240} {
		fmt.Printf("%d MB: %.2f vCPU, %d visible cores\n", mb, p.VCPU(mb), p.VisibleCores(mb))
	}
	// Output:
	// 1024 MB: 0.58 vCPU, 2 visible cores
	// 1769 MB: 1.00 vCPU, 2 visible cores
	// 3008 MB: 1.70 vCPU, 2 visible cores
	// 10240 MB: 5.79 vCPU, 6 visible cores
}

// Load takes the name of a built-in platform or a JSON file of overrides; Parse reads the same
// overrides from bytes. An unknown field is an error, so a typo never leaves a default in place.
func ExampleLoad() {
	p, err := platform.Load(platform.AWSLambda)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.KeepAlive, p.ConcurrencyLimit)

	q, err := platform.Parse("faster.json", []byte(`{"mb_per_vcpu": 1024, "keep_alive_s": 300}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(q.VCPU(2048), q.KeepAlive)

	_, err = platform.Parse("typo.json", []byte(`{"keepalive_s": 300}`))
	fmt.Println(err)
	// Output:
	// 600 1000
	// 2 300
	// typo.json: platform: line 1, column 2: top level: unknown field "keepalive_s" (want one of base, mb_per_vcpu, max_vcpu, min_visible_cores, visible_core_steps_mb, contention_per_corunner, storage_get_latency_s, storage_put_latency_s, connection_bytes_per_s, vm_network_bytes_per_s, local_bytes_per_s, direct_latency_s, nat_traversal_s, invoke_latency_s, payload_limit_bytes, transition_latency_s, orchestration_overhead, execution_overhead_s, keep_alive_s, warm_reuse, keep_alive_policy, hybrid_range_s, hybrid_bin_s, hybrid_head_percentile, hybrid_tail_percentile, hybrid_margin, hybrid_cv_threshold, hybrid_min_samples, function_timeout_s, concurrency_limit, at_concurrency_limit, retry_interval_s, retry_backoff_rate, retry_max_attempts, gb_second_usd, request_usd, billing_quantum_s, put_usd, get_usd, transition_usd, bill_init, fixed_memory_mb, memory_sizes_mb, billing_minimum_s, orchestrator_replay, replay_latency_s, replay_per_step_s, replay_bytes_per_s, replay_billed_mb, offload_bytes, blob_put_latency_s, blob_get_latency_s, blob_put_usd, blob_get_usd, queue_polling_min_s, queue_polling_max_s, instance_activities, max_instances, scale_trigger, instance_orchestrators, partition_count, billed_memory_quantum_mb, spills, http_instance_concurrency)
}
