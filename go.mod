module github.com/winchain/winchain

go 1.26.8

require (
	github.com/google/certificate-transparency-go v1.3.2 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	github.com/smallstep/certinfo v1.16.0 // indirect
	github.com/smallstep/pkcs7 v0.2.3 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/tools v0.31.0 // indirect
)
