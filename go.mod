module github.com/smartcheck-uk/smartcheck

go 1.26.0

require golang.org/x/mod v0.43.0

require github.com/rogpeppe/go-internal v1.16.0 // indirect
