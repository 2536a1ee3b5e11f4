/* The benchmark's payload: does nothing, so the time measured is the jail's. */
int main(void) { return 0; }
