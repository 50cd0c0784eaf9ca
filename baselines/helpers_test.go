package baselines

import "github.com/wisefuse/wisefuse/internal/testflows"

const mb = testflows.MB
