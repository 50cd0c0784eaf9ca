package apps

import (
	"fmt"

	"github.com/wisefuse/wisefuse/dag"
)

// Video analytics, as published by ORION (icanforce/Orion-OSDI22, Benchmarks_AWS_Lambda/
// Video-Analytics; state machine shared/data/step-functions/video-analytics.asl.json): Split cuts
// a one-minute video into 30 two-second chunks; one Map runs, per chunk, Extract (one frame) ->
// Classify (object detection), so an item's Classify starts when that item's Extract ends and the
// iterator can be fused or bundled as a whole.
//
// The profiles also log a small Shuffle stage (about 50 ms, pure Python over the results list)
// that the published state machine does not have. We model it as a task after the Map, not as a
// barrier between two Maps: it keeps the published single Map (the structure WiseFuse fuses and
// bundles), still adds its time to every run's critical path as the profiles do, and only ever
// sees the Map's results list, which is all a regrouping step can consume once per run. The one
// difference from the profiled variant is that an item no longer waits for every other item's
// Extract before its Classify starts, which shortens E2E by at most max(Extract) - min(Extract)
// (tens of ms).
//
// Every fitted number below comes from `wisefuse calibrate` on
// shared/data/aws-lambda-profiles/video/rsc_{1000,5000,10240}_*.txt (see docs/calibration.md);
// TestCarriedConstantsMatchFit recomputes them. Memory needs and init times are estimates from
// the code (packages loaded), not fitted: the profiles are warm runs.
// Fitted constants (`wisefuse calibrate`, docs/calibration.md). Split and Extract carry their
// real data sizes and request counts; the memory-independent time the profiles show beyond them
// is carried as extra latency per storage request (small sequential requests).
const (
	videoSplitS, videoSplitSigma, videoSplitReqLat       = 0.276, 0.417, 0.0132
	videoExtractS, videoExtractSigma, videoExtractReqLat = 0.039, 1.334, 0.1148
	// S = 11.0 and P = 18.8 core-s on 10 processes reproduce 52.5 / 17.5 / 14.3 s within 0.5% at
	// 1000 / 5000 / 10240 MB.
	videoClassifyS, videoClassifyP, videoClassifySigma = 11.008, 18.80, 0.0482
	videoShuffleS, videoShuffleSigma                   = 0.0375, 0.353
)

// VideoChunks is the video workflow's Map width: one item per 2-s chunk of the 1-min video.
const VideoChunks = 30 // Application_Inputs/Video_Inputs.json: DOP 30, 2-s chunks of a 1-min video

func init() {
	register(App{
		Name:     "video",
		Summary:  "Video analytics: Split a 1-min video -> 30x [Extract frame -> Classify (object detection, 10 processes)] -> Shuffle",
		Build:    buildVideo,
		Profiled: true,
		// Median of E2E minus the sum of the stages: 5.385, 5.361, 5.354 s at 1000, 5000,
		// 10240 MB (Map fan-outs of 30 iterations in Step Functions).
		OrchestrationS: 5.367,
	})
}

func buildVideo() *dag.Workflow {
	return &dag.Workflow{
		Name:        "video",
		Description: "Video analytics (ORION/WiseFuse): split, then per 2-s chunk extract a frame and detect objects, then gather; calibrated to AWS Lambda profiles",
		Functions: []dag.Function{
			{
				// ffmpeg stream copy of a ~38 MB MP4 into 30 chunks: one GET, then one PUT per
				// chunk, sequentially (31 requests; fitted 13 ms extra per request).
				Name: "Split", MinMemoryMB: 256, SharedMemoryMB: 128,
				SerialWork: dag.Const(videoSplitS), Threads: 1,
				InputBytes: dag.Const(38e6), OutputBytes: dag.Const(38e6), OutputRequests: VideoChunks,
				ExtraRequestLatency: videoSplitReqLat,
				InitTime:            dag.Const(0.6), ItemSkew: ItemSkew(0), RunFactor: runFactor(videoSplitSigma),
			},
			{
				// Decode the first frame of a ~1.3 MB chunk, write a ~0.4 MB JPEG; S3 latency
				// dominates (fitted 115 ms extra per request, see docs/calibration.md).
				Name: "Extract", MinMemoryMB: 256, SharedMemoryMB: 128,
				SerialWork: dag.Const(videoExtractS), Threads: 1,
				InputBytes: dag.Const(1.3e6), OutputBytes: dag.Const(0.4e6), ExtraRequestLatency: videoExtractReqLat,
				InitTime: dag.Const(0.6), ItemSkew: ItemSkew(0.3), ItemSkewByIndex: true, RunFactor: runFactor(videoExtractSigma),
			},
			{
				// Tiny-YOLOv3 (TensorFlow) on one frame, then crop/upscale/sharpen the detections
				// with 10 processes. The profiled runs reprocess one video, so a chunk's work is
				// the same in every run: the skew is by item index.
				Name: "Classify", MinMemoryMB: 1000, SharedMemoryMB: 600,
				SerialWork: dag.Const(videoClassifyS), ParallelWork: dag.Const(videoClassifyP), Threads: 10,
				InputBytes: dag.Const(0.4e6), OutputBytes: dag.Const(4e6),
				InitTime: dag.Const(6), ItemSkew: ItemSkew(0.9), ItemSkewByIndex: true, RunFactor: runFactor(videoClassifySigma),
			},
			{
				// Pure Python over the Map's result list (no storage): the profiles' Shuffle stage.
				Name: "Shuffle", MinMemoryMB: 128, SharedMemoryMB: 64,
				SerialWork: dag.Const(videoShuffleS), Threads: 1,
				InitTime: dag.Const(0.25), ItemSkew: ItemSkew(0), RunFactor: runFactor(videoShuffleSigma),
			},
		},
		Steps: []dag.Step{
			task("Split"),
			mapOf(VideoMap, VideoChunks, task("Extract"), task("Classify")),
			task("Shuffle"),
		},
	}
}

// VideoMap is the name of the video workflow's Map over chunks (iterator: Extract -> Classify).
const VideoMap = "ChunkMap"

// VideoBundleMemoryMB is the VM size ORION's bundling experiment gave a bundle of b items:
// min(1472*b, 10240) MB (shared/data/README.md).
func VideoBundleMemoryMB(b int) int { return min(1472*b, dag.MaxMemoryMB) }

// VideoBundlePlan is the plan of ORION's bundling experiment on w (the video workflow): every
// function at VideoBundleMemoryMB(b) and the chunk Map bundled b items per VM, so whole items
// (Extract then Classify) share a VM.
func VideoBundlePlan(w *dag.Workflow, b int) (*dag.Plan, error) {
	if b < 1 {
		return nil, fmt.Errorf("video bundle plan: bundle size %d, want >= 1", b)
	}
	if st := w.Step(VideoMap); st == nil || st.Map == nil {
		return nil, fmt.Errorf("video bundle plan: workflow %q has no Map step %q", w.Name, VideoMap)
	}
	plan := dag.UniformPlan(VideoBundleMemoryMB(b))
	plan.Bundle = map[string]int{VideoMap: b}
	if err := plan.Validate(w); err != nil {
		return nil, fmt.Errorf("video bundle plan: %w", err)
	}
	return plan, nil
}
