"""What the dbt project needs beside it to run on the server engines: the raw files loaded
into PostgreSQL or Spark (load), and the in-process Spark of the dbt target (spark). Apart
from the dev-data tools, since they load any delivered files, not only generated ones, and
from the warehouse readers, since they run before a build, not after it."""
