// Package figures renders result tables as gonum/plot figures (PNG and SVG) in one consistent
// style: titles, axis labels with units, legends and log scales where data spans decades.
package figures
