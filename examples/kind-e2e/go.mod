module example.com/shop-e2e

go 1.22
