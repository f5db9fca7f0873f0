module gohello

go 1.27
