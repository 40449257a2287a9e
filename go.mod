module github.com/winchain/winchain

go 1.26.8

require (
	github.com/chromedp/cdproto v0.160.1
	github.com/chromedp/chromedp v0.23.1
	github.com/rogpeppe/go-internal v1.16.0
	github.com/smallstep/certinfo v1.16.0
	github.com/smallstep/pkcs7 v0.2.3
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/crypto v0.59.0
	golang.org/x/sys v0.50.0
	golang.org/x/text v0.44.0
)

require (
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/google/certificate-transparency-go v1.3.2 // indirect
	golang.org/x/tools v0.52.0 // indirect
)
