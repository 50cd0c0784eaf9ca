// Package apps holds the built-in workflows of the paper (video analytics, ML pipeline, chatbot
// and our reconstruction of approximate SVD), calibrated to public AWS Lambda measurements, and
// the calibration procedure that fits them. Any command that takes --workflow accepts their names.
package apps
