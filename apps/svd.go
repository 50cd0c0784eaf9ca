package apps

import "github.com/wisefuse/wisefuse/dag"

// Approximate SVD, the paper's third application. Its DAG is not public; this is OUR
// RECONSTRUCTION of a serverless randomized SVD (Halko, Martinsson and Tropp, SIAM Review 2011;
// the single-pass sketch of Tropp et al., SIMAX 2017), not a measured workflow, and it is not
// calibrated to any measurement:
//
//   - Partition (1): reads a 100,000 x 1,000 float64 matrix (800 MB) from remote storage, writes
//     it back as 20 row blocks of 5,000 rows (40 MB each) plus the Gaussian test matrix.
//   - Sketch (Map, 20): per block A_i, computes the range sketch Y_i = A_i Omega (Omega is
//     1,000 x 110: rank 100 plus 10 oversampling) and the co-range sketch W_i = Psi_i A_i (220
//     rows): about 3.3 GFLOP of BLAS, writes Y_i (4.4 MB) and W_i (1.8 MB).
//   - Merge (1): gathers the sketches (124 MB), QR of the stacked Y (100,000 x 110), a small
//     least-squares solve and SVD, writes U (80 MB), the singular values and V (0.9 MB).
//
// The data sizes make communication matter: at 80 MB/s per connection, Partition spends about
// 20 s moving data for about 2 core-s of work, and a Sketch block's 40 MB download takes longer
// than its compute on 6 vCPUs, so fusion and bundling trade transfers against CPU. Work
// estimates assume about 15 GFLOP/s per core for dense BLAS on Lambda's x86 vCPUs.
const svdBlocks = 20

func init() {
	register(App{
		Name:    "svd",
		Summary: "Approximate SVD (our reconstruction): Partition 800 MB matrix -> 20x Sketch row block -> Merge and factorize",
		Build:   buildSVD,
	})
}

func buildSVD() *dag.Workflow {
	return &dag.Workflow{
		Name:        "svd",
		Description: "Approximate (randomized) SVD: our reconstruction of the paper's third application; not calibrated to measurements",
		Functions: []dag.Function{
			{
				// Deserialize and re-serialize 800 MB (memory-bound copies, single-threaded);
				// the whole matrix must fit in memory.
				Name: "Partition", MinMemoryMB: 2048, SharedMemoryMB: 256,
				SerialWork: dag.Const(2.0), Threads: 1,
				InputBytes: dag.Const(800e6), OutputBytes: dag.Const(801e6),
				InitTime: dag.Const(1.0), ItemSkew: ItemSkew(0), RunFactor: runFactor(0.05),
			},
			{
				// 3.3 GFLOP at ~15 GFLOP/s per core (BLAS, up to 6 threads) plus parsing.
				Name: "Sketch", MinMemoryMB: 512, SharedMemoryMB: 256,
				SerialWork: dag.Const(0.05), ParallelWork: dag.Const(0.22), Threads: 6,
				InputBytes: dag.Const(40.9e6), OutputBytes: dag.Const(6.2e6),
				InitTime: dag.Const(1.0), ItemSkew: ItemSkew(0.1), RunFactor: runFactor(0.1),
			},
			{
				// QR of 100,000 x 110 (2.4 GFLOP) and small factorizations, plus assembling
				// 124 MB of sketches.
				Name: "Merge", MinMemoryMB: 1024, SharedMemoryMB: 256,
				SerialWork: dag.Const(0.3), ParallelWork: dag.Const(0.25), Threads: 6,
				InputBytes: dag.Const(124e6), OutputBytes: dag.Const(81e6),
				InitTime: dag.Const(1.0), ItemSkew: ItemSkew(0), RunFactor: runFactor(0.05),
			},
		},
		Steps: []dag.Step{
			task("Partition"),
			mapOf("SketchMap", svdBlocks, task("Sketch")),
			task("Merge"),
		},
	}
}
