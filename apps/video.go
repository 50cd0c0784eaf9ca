package apps

import "github.com/wisefuse/wisefuse/dag"

// Video analytics, as profiled by ORION's DAG profiler (icanforce/Orion-OSDI22,
// Benchmarks_AWS_Lambda/Video-Analytics): Split cuts a one-minute video into 30 two-second
// chunks; a Map extracts one frame per chunk; Shuffle regroups the Extract results (its code
// consumes their list, so it is a barrier); a second Map runs object detection per frame. The
// published state machine (shared/data/step-functions/video-analytics.asl.json) is the variant
// without Shuffle, one Map of [Extract -> Classify]; the profiles have the Shuffle stage, so this
// workflow follows them. ORION bundles the Classify workers (its handler takes a list of chunks
// and runs one process per chunk), so ClassifyMap is the Map to bundle.
//
// Every fitted number below comes from `wisefuse calibrate` on
// shared/data/aws-lambda-profiles/video/rsc_{1000,5000,10240}_*.txt (see docs/calibration.md);
// TestCarriedConstantsMatchFit recomputes them. Memory needs and init times are estimates from
// the code (packages loaded), not fitted: the profiles are warm runs.
const videoChunks = 30 // Application_Inputs/Video_Inputs.json: DOP 30, 2-s chunks of a 1-min video

func init() {
	register(App{
		Name:     "video",
		Summary:  "Video analytics: Split a 1-min video -> 30x Extract frame -> Shuffle -> 30x Classify (object detection, 10 processes)",
		Build:    buildVideo,
		Profiled: true,
		// Median of E2E minus the sum of the stages: 5.385, 5.361, 5.354 s at 1000, 5000,
		// 10240 MB (two Map fan-outs of 30 iterations each in Step Functions).
		OrchestrationS: 5.367,
	})
}

func buildVideo() *dag.Workflow {
	return &dag.Workflow{
		Name:        "video",
		Description: "Video analytics (ORION/WiseFuse): split, extract a frame per 2-s chunk, shuffle, detect objects per frame; calibrated to AWS Lambda profiles",
		Functions: []dag.Function{
			{
				// ffmpeg stream copy of a ~38 MB MP4 into 30 chunks, each PUT sequentially: the
				// memory-independent 2.1 s is fitted and carried as an equivalent transfer size
				// (31 requests' latency included).
				Name: "Split", MinMemoryMB: 256, SharedMemoryMB: 128,
				SerialWork: dag.Const(0.276), Threads: 1,
				InputBytes: dag.Const(83.39e6), OutputBytes: dag.Const(83.39e6),
				InitTime: dag.Const(0.6), ItemSkew: skew(0), RunFactor: runFactor(0.417),
			},
			{
				// Decode the first frame of a ~1.3 MB chunk, write a ~0.4 MB JPEG; S3 latency
				// dominates (fitted equivalent transfer 0.29 s).
				Name: "Extract", MinMemoryMB: 256, SharedMemoryMB: 128,
				SerialWork: dag.Const(0.039), Threads: 1,
				InputBytes: dag.Const(15.35e6), OutputBytes: dag.Const(4.723e6),
				InitTime: dag.Const(0.6), ItemSkew: skew(0.3), RunFactor: runFactor(1.334),
			},
			{
				// Pure Python over the Map's payload (no storage).
				Name: "Shuffle", MinMemoryMB: 128, SharedMemoryMB: 64,
				SerialWork: dag.Const(0.038), Threads: 1,
				InitTime: dag.Const(0.25), ItemSkew: skew(0), RunFactor: runFactor(0.353),
			},
			{
				// Tiny-YOLOv3 (TensorFlow) on one frame, then crop/upscale/sharpen the detections
				// with 10 processes; S = 11.2 and P = 19.2 core-s reproduce 52.5 / 17.5 / 14.3 s
				// within 0.5% at 1000 / 5000 / 10240 MB.
				Name: "Classify", MinMemoryMB: 1000, SharedMemoryMB: 600,
				SerialWork: dag.Const(11.22), ParallelWork: dag.Const(19.17), Threads: 10,
				InputBytes: dag.Const(0.4e6), OutputBytes: dag.Const(4e6),
				InitTime: dag.Const(6), ItemSkew: skew(0.9), RunFactor: runFactor(0.0437),
			},
		},
		Steps: []dag.Step{
			task("Split"),
			mapOf("ExtractMap", videoChunks, task("Extract")),
			task("Shuffle"),
			mapOf("ClassifyMap", videoChunks, task("Classify")),
		},
	}
}
