module goreactor

go 1.27
