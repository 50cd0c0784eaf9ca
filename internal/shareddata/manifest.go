package shareddata

// Upstream repositories and the commits the files are pinned to. Each file's SHA-256 is that of
// the copy in ../shared/data the project was calibrated against.
const (
	orionRepo = "icanforce/Orion-OSDI22"
	// orionCommit holds Benchmarks_AWS_Lambda/*/JsonStateMachine.json and the DAG_Profiler logs.
	orionCommit = "291db1407467ab28190e21750f92696d1cdc1d72"
	// orionDatasetCommit holds Public_Dataset/dag_structure.xlsx.
	orionDatasetCommit = "3d8e816cd98623af42f5053637c037f711e38d6f"

	// LicenceORION is the licence of every file from the ORION artifact.
	LicenceORION = "CC BY-NC-ND 4.0 (icanforce/Orion-OSDI22): fetch, never commit or redistribute"
	// LicenceAzure is the licence of the Azure Functions trace sample.
	LicenceAzure = "CC BY 4.0 (Azure/AzurePublicDataset), as sampled in vhive-serverless/invitro (MIT)"
)

// File is one public file of the shared data folder.
type File struct {
	Name    string // path inside the data folder, slash-separated
	SHA256  string // hex digest of the expected content
	Licence string

	// Where it comes from: a file of Repo at Commit, or (From, Columns) a pair of columns of the
	// first sheet of the workbook From, another File, written as CSV (see deriveCSV).
	Repo, Commit, Path string
	From               string
	Columns            [2]string
	Header             string // the derived CSV's header line

	// Manual says why the file cannot be fetched from a public path (empty when it can).
	Manual string
}

// manualProfile: the other profiling logs are not among the repository's tracked files; the
// artifact keeps them in a password-protected archive (its README, "Download Archive").
const manualProfile = "not a tracked file of icanforce/Orion-OSDI22 (the artifact's password-protected archive holds it; " +
	"see that repository's README): copy it by hand into the data folder"

// Files lists the shared data folder's public files, in the order Fetch handles them.
var Files = []File{
	{Name: "step-functions/video-analytics.asl.json", SHA256: "2104c67d5727518b38b23c370711213a26ebbabd1885348a2e381a335c24d58f",
		Licence: LicenceORION, Repo: orionRepo, Commit: orionCommit, Path: "Benchmarks_AWS_Lambda/Video-Analytics/JsonStateMachine.json"},
	{Name: "step-functions/ml-pipeline.asl.json", SHA256: "1fd1cc849729d4f631a9515dbaea2e86f115dcc1b0f1388e996c8b40d7729af9",
		Licence: LicenceORION, Repo: orionRepo, Commit: orionCommit, Path: "Benchmarks_AWS_Lambda/ML-Pipeline/JsonStateMachine.json"},
	{Name: "step-functions/chatbot.asl.json", SHA256: "dcf0e18e2cfec12cd27eec84d88b8ce57588cbaaf5d47170f935054f2dce526d",
		Licence: LicenceORION, Repo: orionRepo, Commit: orionCommit, Path: "Benchmarks_AWS_Lambda/ChatBot/JsonStateMachine.json"},

	{Name: "aws-lambda-profiles/video/rsc_5000_5000_5000.txt", SHA256: "86801c0157a164fdcdb4709ad2f55a489cc89c7b6858af070a8602a17839927c",
		Licence: LicenceORION, Repo: orionRepo, Commit: orionCommit, Path: "DAG_Profiler/profile_apwawdkyic_Video/rsc_5000_5000_5000.txt"},
	{Name: "aws-lambda-profiles/chatbot/rsc_5000_5000_5000.txt", SHA256: "49da4e2b782682efe420272e71a617b92cc5b03ebb7d4d98968db7ded3fa92e2",
		Licence: LicenceORION, Repo: orionRepo, Commit: orionCommit, Path: "DAG_Profiler/profile_thazyrpbus_ChatBot/rsc_5000_5000_5000.txt"},
	{Name: "aws-lambda-profiles/video/rsc_1000_1000_1000.txt", SHA256: "dc1750fffa3cec619e81d7ccade9751608a2043823d6657d3635094ca398e611",
		Licence: LicenceORION, Manual: manualProfile},
	{Name: "aws-lambda-profiles/video/rsc_10240_10240_10240.txt", SHA256: "2519c5e330560a81506655dc19e1bc8732d15ae85587f82e028b6817af724e4e",
		Licence: LicenceORION, Manual: manualProfile},
	{Name: "aws-lambda-profiles/chatbot/rsc_1000_1000_1000.txt", SHA256: "8ff6572238efb8780b23d5c697949374fab1278666a8916403a894f5bc344f41",
		Licence: LicenceORION, Manual: manualProfile},
	{Name: "aws-lambda-profiles/chatbot/rsc_10240_10240_10240.txt", SHA256: "42c26a46dc30df264e4373b136e474842995e6d01e1117db936960a01c5bc152",
		Licence: LicenceORION, Manual: manualProfile},
	{Name: "aws-lambda-profiles/ml/rsc_1000_1000_1000.txt", SHA256: "7a2d6c213f406d9a17c318810c1ccc3bf404237c6c00dfc5f4cc545f299e76ff",
		Licence: LicenceORION, Manual: manualProfile},
	{Name: "aws-lambda-profiles/ml/rsc_5000_5000_5000.txt", SHA256: "bfcf4f7fdbf86f54a704489d2d998a7c331e45e3d0a53e2af35f4c3808da2f49",
		Licence: LicenceORION, Manual: manualProfile},
	{Name: "aws-lambda-profiles/ml/rsc_10240_10240_10240.txt", SHA256: "7fec87938ea6204300e42be74db9e951bc87e2d38428f0694550cf8bd424d0e8",
		Licence: LicenceORION, Manual: manualProfile},

	{Name: "azure-dag-structure/dag_structure.xlsx", SHA256: "ff862404135d93dfe6003265268952221b7e0ef949be9c75d74a7f2a1bba06ec",
		Licence: LicenceORION, Repo: orionRepo, Commit: orionDatasetCommit, Path: "Public_Dataset/dag_structure.xlsx"},
	{Name: "azure-dag-structure/width_cdf.csv", SHA256: "2b29ac8006d065e31a0830b52a491c0da3a44b5b54631c34656400929610916a",
		Licence: LicenceORION, From: "azure-dag-structure/dag_structure.xlsx", Columns: [2]string{"A", "B"}, Header: "width,cdf"},
	{Name: "azure-dag-structure/depth_cdf.csv", SHA256: "486bd03b52636f5c33d6756e274820d00a28be7db0bf5c9dfd792f08b76aa4bb",
		Licence: LicenceORION, From: "azure-dag-structure/dag_structure.xlsx", Columns: [2]string{"C", "D"}, Header: "depth,cdf"},
	{Name: "azure-dag-structure/nodes_cdf.csv", SHA256: "96a9951f172e745e6dbd4c97213da0aa7182fb0ac8114a23146560a6ebbc1807",
		Licence: LicenceORION, From: "azure-dag-structure/dag_structure.xlsx", Columns: [2]string{"E", "F"}, Header: "nodes,cdf"},

	{Name: "azure-functions-2021-sample/Azure2021_200.csv", SHA256: "d51e9c9ca79872313d94a26b8c52e82fc55855903c92c1f006cfd1a37700673b",
		Licence: LicenceAzure, Manual: "its path in vhive-serverless/invitro is not pinned yet: copy it by hand into the data folder"},
}
