package calibration

import "github.com/wisefuse/wisefuse/apps"

// Specs are the code facts behind each profiled function: item counts, thread counts, data sizes
// and storage requests, read from the ORION artifact's sources (icanforce/Orion-OSDI22,
// Benchmarks_AWS_Lambda/<app>/<function>/lambda_function.py, and Application_Inputs/*.json for
// the inputs the profiles were taken with). Timings are not used here; Fit uses these facts to
// turn the measured timings into work.
const (
	kB = 1e3
	mB = 1e6
)

// Video analytics (Application_Inputs/Video_Inputs.json: one source video, DOP 30).
var (
	// Split downloads a one-minute MP4 (about 5 Mbit/s, 720p: ~38 MB) and cuts it with
	// `ffmpeg -c copy` into 2-s chunks (stream copy: single-threaded, light CPU), uploading each
	// chunk with its own PUT (boto3 with use_threads=False, so sequentially).
	videoSplit = FunctionSpec{App: "video", Stage: "Split", Items: 1, Threads: []int{1},
		InputBytes: 38 * mB, OutputBytes: 38 * mB, OutputRequests: apps.VideoChunks, FitTransfer: true}
	// Extract downloads one 2-s chunk (~1.3 MB) and writes its first frame as a high-quality
	// JPEG (-q:v 1, ~0.4 MB); content-dependent decode work varies little between chunks.
	videoExtract = FunctionSpec{App: "video", Stage: "Extract", Items: 30, Threads: []int{1},
		SkewWidth: 0.3, SkewByIndex: true, InputBytes: 1.3 * mB, OutputBytes: 0.4 * mB, FitTransfer: true}
	// Shuffle regroups the Extract results; everything travels in the Step Functions payload.
	videoShuffle = FunctionSpec{App: "video", Stage: "Shuffle", Items: 1, Threads: []int{1}, PayloadOnly: true}
	// Classify runs Tiny-YOLOv3 on one frame, then crops, upscales (1408x1408) and sharpens every
	// detected object with 10 processes and uploads them as a zip (~4 MB). The crop phase runs only
	// for frames with more than 10 detections, so a quiet chunk does little beyond the detection:
	// items do 0.1 to 1 times the busiest chunk's work (width 0.9). This width also sets how much
	// bundling helps; the ORION bundling measurement (P95 falls 23% from B=1 to B=2) needs a wide
	// skew, whereas the profiles only bound the max over 30 items.
	videoClassify = FunctionSpec{App: "video", Stage: "Classify", Items: 30, Threads: []int{10},
		SkewWidth: 0.9, SkewByIndex: true, InputBytes: 0.4 * mB, OutputBytes: 4 * mB}
)

// ML pipeline (Application_Inputs/ML_Inputs.json: bundle_size 1).
var (
	// PCA downloads the digits training set (10,000 rows x 785 values as TSV, ~20 MB), parses it
	// with numpy.genfromtxt (single-threaded), eigendecomposes the 784x784 covariance (BLAS,
	// multi-threaded) and uploads the eigenvectors (.npy, 784x784 float64, ~5 MB) and the
	// projected training set (100 columns as %.18e text, ~25 MB).
	mlPCA = FunctionSpec{App: "ml", Stage: "PCA", Items: 1, InputBytes: 20 * mB, OutputBytes: 30 * mB}
	// ParamTune: 16 configurations (4 feature fractions x 4 tree counts, 5..20 trees), one per
	// invocation; each trains in 6 processes of 2 LightGBM threads (12 threads) on the projected
	// set and uploads the models. Work grows with the tree count: the lightest configuration
	// does about a quarter of the heaviest's.
	mlParamTune = FunctionSpec{App: "ml", Stage: "ParamTune", Items: 16, Threads: []int{12},
		SkewWidth: 0.75, InputBytes: 25 * mB, OutputBytes: 2 * mB, FitOversubscription: true}
	// CombineModels gathers the accuracies from the Map's payload.
	mlCombine = FunctionSpec{App: "ml", Stage: "CombineModels", Items: 1, Threads: []int{1}, PayloadOnly: true}
)

// Chatbot (Application_Inputs/ChatBot_Inputs.json: skew 4, Network_Bound 1, bundle_size 1).
var (
	// SplitChatBot builds a bag-of-words matrix per intent from Intent.json (in the deployment
	// package; pure Python, single-threaded) and, Network_Bound being 1, writes every intent's
	// positive and negative matrices as text (numpy.savetxt) with one PUT each: 44 PUTs plus the
	// vocabulary, ~22 MB in all.
	chatSplit = FunctionSpec{App: "chatbot", Stage: "SplitChatBot", Items: 1, Threads: []int{1},
		OutputBytes: 22 * mB, OutputRequests: 45, FitTransfer: true}
	// TrainIntentClassifier: one invocation per intent (22). It downloads the vocabulary, a
	// negative-example file and its intent's two matrices (4 GETs, ~1.5 MB), runs an SVD and 1,500
	// gradient-descent steps (numpy/BLAS, multi-threaded) and uploads its parameters. Intents
	// differ in size, so the work differs between items.
	chatTrain = FunctionSpec{App: "chatbot", Stage: "TrainIntentClassifier", Items: 22,
		SkewWidth: 0.5, InputBytes: 1.5 * mB, InputRequests: 4, OutputBytes: 0.05 * mB}
)

// Specs returns the calibration specs of app's functions in workflow order.
func Specs(app string) []FunctionSpec {
	switch app {
	case "video":
		return []FunctionSpec{videoSplit, videoExtract, videoClassify, videoShuffle}
	case "ml":
		return []FunctionSpec{mlPCA, mlParamTune, mlCombine}
	case "chatbot":
		return []FunctionSpec{chatSplit, chatTrain}
	}
	return nil
}
