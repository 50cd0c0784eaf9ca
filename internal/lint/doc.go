// Package lint holds checks of the code base that run as ordinary tests, so a developer and CI
// see the same thing: the package layering of docs/architecture.md. It has no code of its own.
package lint
