# corgi-expect: python-airflow-bash-command-formatted
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.models import Variable

with DAG("nightly_export", schedule="@daily") as dag:
    bucket = Variable.get("export_bucket")
    export = BashOperator(
        task_id="export",
        bash_command="aws s3 sync /data/export s3://" + bucket + "/nightly",
    )
