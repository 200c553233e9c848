/* placeholder: replaced by the daemon skeleton */
int main(void) { return 0; }
