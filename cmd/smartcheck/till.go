package main

func (e *env) till(args []string) error {
	e.errorf("the till screen is not built yet; use smartcheck lookup CODE")
	return exitError(1)
}
