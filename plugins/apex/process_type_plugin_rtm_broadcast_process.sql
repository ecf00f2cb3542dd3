prompt --application/set_environment
set define off verify off feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
--
-- Oracle APEX export file: plug-in RTM - Broadcast (Process)
--
-- NOT RUN HERE: rtm-kit's repository has no Oracle database or APEX instance.
-- This file follows the structure of APEX 23.1 component exports and the
-- documented plug-in API; import it into APEX 23.x/24.x (Shared Components >
-- Plug-ins > Import) after installing rtm_api.sql, and test it there.
-- See plugins/apex/README.md.
--
-- Generated for rtm-kit; the workspace and application below are placeholders
-- that App Builder's import replaces (or set them with apex_application_install).
--------------------------------------------------------------------------------
begin
wwv_flow_imp.import_begin (
 p_version_yyyy_mm_dd=>'2023.04.28'
,p_release=>'23.1.0'
,p_default_workspace_id=>100000
,p_default_application_id=>100
,p_default_id_offset=>0
,p_default_owner=>'RTM'
);
end;
/
begin
  -- replace components
  wwv_flow_imp.g_mode := 'REPLACE';
end;
/
prompt --application/shared_components/plugins/process_type/com_rtmkit_broadcast_process
begin
wwv_flow_imp_shared.create_plugin(
 p_id=>wwv_flow_imp.id(7361000000025001)
,p_plugin_type=>'PROCESS TYPE'
,p_name=>'COM.RTMKIT.BROADCAST_PROCESS'
,p_display_name=>'RTM - Broadcast (Process)'
,p_supported_component_types=>'APEX_APPLICATION_PAGE_PROC:APEX_APPL_AUTOMATION_ACTIONS'
,p_plsql_code=>wwv_flow_string.join(wwv_flow_t_varchar2(
'-- Builds the payload: the static JSON, with the listed items'' session-state values added on top.',
'function payload_of (p_process in apex_plugin.t_process) return clob is',
'  l_items  apex_t_varchar2 := apex_string.split(p_process.attribute_08, '','');',
'  l_object json_object_t   := case when p_process.attribute_09 is not null',
'                                   then json_object_t.parse(p_process.attribute_09)',
'                                   else json_object_t() end;',
'begin',
'  for i in 1 .. l_items.count loop',
'    if trim(l_items(i)) is not null then',
'      l_object.put(trim(l_items(i)), v(trim(l_items(i))));',
'    end if;',
'  end loop;',
'  return l_object.to_clob;',
'end payload_of;',
'',
'function execute_broadcast (',
'  p_process in apex_plugin.t_process,',
'  p_plugin  in apex_plugin.t_plugin )',
'  return apex_plugin.t_process_exec_result',
'is',
'  l_result apex_plugin.t_process_exec_result;',
'begin',
'  case p_process.attribute_01',
'    when ''CHANNEL'' then',
'      rtm_api.broadcast(p_process.attribute_02, p_process.attribute_07, payload_of(p_process));',
'    when ''USER'' then',
'      rtm_api.notify_user(p_process.attribute_03, p_process.attribute_07, payload_of(p_process));',
'    when ''RESOURCE'' then',
'      rtm_api.emit_event(p_process.attribute_04, p_process.attribute_05, p_process.attribute_06,',
'                         ''['' || payload_of(p_process) || '']'');',
'  end case;',
'  l_result.success_message := p_process.success_message;',
'  return l_result;',
'end execute_broadcast;'))
,p_api_version=>1
,p_execution_function=>'execute_broadcast'
,p_substitute_attributes=>true
,p_subscribe_plugin_settings=>true
,p_help_text=>'Pushes from the database after the page is processed (for example after the commit of an order), through rtm_api: the API key stays in the database.'
,p_version_identifier=>'1.0.0'
,p_about_url=>'https://github.com/rtm-kit/rtm-kit'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000026001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>1
,p_display_sequence=>10
,p_prompt=>'Send To'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>true
,p_default_value=>'CHANNEL'
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'CHANNEL publishes on a channel; USER pushes to one user''s private channel; RESOURCE emits a resource event (created/updated/deleted).'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000027001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_display_sequence=>10
,p_display_value=>'Channel'
,p_return_value=>'CHANNEL'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000028001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_display_sequence=>20
,p_display_value=>'User'
,p_return_value=>'USER'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000029001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_display_sequence=>30
,p_display_value=>'Resource Event'
,p_return_value=>'RESOURCE'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000030001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>2
,p_display_sequence=>20
,p_prompt=>'Channel'
,p_attribute_type=>'TEXT'
,p_is_required=>true
,p_examples=>'orders'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'CHANNEL'
,p_help_text=>'The channel to publish on.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000031001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>3
,p_display_sequence=>30
,p_prompt=>'User'
,p_attribute_type=>'TEXT'
,p_is_required=>true
,p_default_value=>'&APP_USER.'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'USER'
,p_help_text=>'The user to notify (their channel user:<name>).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000032001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>4
,p_display_sequence=>40
,p_prompt=>'Resource Type'
,p_attribute_type=>'TEXT'
,p_is_required=>true
,p_default_value=>'ds'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'RESOURCE'
,p_help_text=>'The resource type, e.g. ds (dataset).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000033001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>5
,p_display_sequence=>50
,p_prompt=>'Resource Name'
,p_attribute_type=>'TEXT'
,p_is_required=>true
,p_examples=>'orders'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'RESOURCE'
,p_help_text=>'The resource name, e.g. orders.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000034001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>6
,p_display_sequence=>60
,p_prompt=>'Action'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>true
,p_default_value=>'updated'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'RESOURCE'
,p_lov_type=>'STATIC'
,p_help_text=>'What happened to the record.'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000035001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000034001)
,p_display_sequence=>10
,p_display_value=>'Created'
,p_return_value=>'created'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000036001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000034001)
,p_display_sequence=>20
,p_display_value=>'Updated'
,p_return_value=>'updated'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000000037001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000000034001)
,p_display_sequence=>30
,p_display_value=>'Deleted'
,p_return_value=>'deleted'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000038001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>7
,p_display_sequence=>70
,p_prompt=>'Event Name'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'order.created'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000000026001)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'IN_LIST'
,p_depending_on_expression=>'CHANNEL,USER'
,p_help_text=>'The message''s event name.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000039001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>8
,p_display_sequence=>80
,p_prompt=>'Items'
,p_attribute_type=>'PAGE ITEMS'
,p_is_required=>false
,p_examples=>'P10_ORDER_ID,P10_STATUS'
,p_is_translatable=>false
,p_help_text=>'Page items whose session-state values are sent as {"ITEM": value}.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000000040001)
,p_plugin_id=>wwv_flow_imp.id(7361000000025001)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>9
,p_display_sequence=>90
,p_prompt=>'Static Payload'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'{"id": "&P10_ORDER_ID."}'
,p_is_translatable=>false
,p_help_text=>'Optional JSON object the item values are added to. For a resource event, include "id".'
);
end;
/
prompt --application/end_environment
begin
wwv_flow_imp.import_end(p_auto_install_sup_obj => nvl(wwv_flow_application_install.get_auto_install_sup_obj, false));
commit;
end;
/
set verify on feedback on define on
prompt  ...done
